import type { CinderRequest, RequestContext } from '../../cinder/api/requests.js';
import type { World } from '../../engine/world.js';
import type { CloudView } from '../../harness/view.js';
import { ADMIN_PROJECT } from '../check.js';
import type { RequestRecord } from '../outcome.js';
import type { Submit } from './context.js';
import type { Recorder } from './recorder.js';
import type { RequestWatch } from './watch.js';
import { CLIENT_MAX_VERSION } from '../cinderclient/version.js';

/** Verbs whose answer names a new resource whose status we follow. */
const CREATING_VERBS = new Set(['create', 'snapshot-create', 'backup-create', 'backup-restore', 'transfer-create']);

function contextOf(project: string, apiVersion: string): RequestContext {
  return project === ADMIN_PROJECT ? { project_id: ADMIN_PROJECT, is_admin: true, api_version: apiVersion } : { project_id: project, user_id: `${project}-user`, api_version: apiVersion };
}

function resourceIdOf(verb: string, result: unknown): string | null {
  if (!CREATING_VERBS.has(verb) || result === null || typeof result !== 'object') return null;
  const o = result as Record<string, unknown>;
  const id = verb === 'backup-restore' ? o['volume_id'] : verb === 'transfer-create' ? o['volume_id'] : o['id'];
  return typeof id === 'string' ? id : null;
}

/** The volume an extend or retype acted on, resolved as the API did (id, else the caller's name). */
function targetVolume(cloud: CloudView, req: CinderRequest, project: string): string | null {
  if (req.verb !== 'extend' && req.verb !== 'retype') return null;
  const vols = cloud.volumes();
  const byId = vols.find((v) => v.id === req.volume);
  if (byId) return byId.id;
  const named = vols.filter((v) => v.name === req.volume && (project === ADMIN_PROJECT || v.project_id === project));
  return named.length === 1 ? named[0]!.id : null;
}

/**
 * Every request of a run goes through here: numbered, recorded, answered.
 * `defaultVersion`: the microversion of requests that name none (the
 * scenario's api_version, negotiated as cinderclient does).
 */
export function requestSender(world: World, cloud: CloudView, recorder: Recorder, defaultVersion: string = CLIENT_MAX_VERSION, watch?: RequestWatch): Submit {
  let seq = 0;
  return (source, project, req, done, apiVersion = defaultVersion, via) => {
    const rec: RequestRecord = {
      seq: ++seq,
      at_ms: world.sim.now,
      answered_at_ms: -1,
      project,
      source,
      verb: req.verb,
      request: { ...req } as Record<string, unknown>,
      ok: false,
      result: 'in_flight',
      http: null,
      error: null,
      message: null,
      resource_id: null,
      final_status: null,
      host: null,
    };
    recorder.requested(rec);
    watch?.requested(rec);
    cloud.submit(contextOf(project, apiVersion), req, (r) => {
      rec.answered_at_ms = world.sim.now;
      rec.ok = r.ok;
      if (r.ok) {
        rec.resource_id = resourceIdOf(req.verb, r.result) ?? targetVolume(cloud, req, project);
      } else {
        rec.http = r.http;
        rec.error = r.error;
        rec.message = r.message;
      }
      recorder.answered(rec);
      watch?.answered(rec);
      done(r, rec);
    }, via);
  };
}
