import type { ApiResult, CinderRequest } from '../../cinder/api/requests.js';
import type { World } from '../../engine/world.js';
import type { CloudView } from '../../harness/view.js';
import type { LoadedScenario } from '../loader.js';
import type { RequestRecord } from '../outcome.js';
import type { Recorder } from './recorder.js';

/**
 * Make one request as `project`, recorded under `source`; `done` gets the
 * answer and its record.  `apiVersion`: the microversion it carries (default:
 * the scenario's api_version as cinderclient negotiates it); `via`: the node
 * whose cinder-api takes it (default: the first).
 */
export type Submit = (source: string, project: string, req: CinderRequest, done: (r: ApiResult, rec: RequestRecord) => void, apiVersion?: string, via?: string) => void;

/** What the parts of a run (steps, workloads, faults) share. */
export interface RunContext {
  readonly loaded: LoadedScenario;
  /** The run's root seed (request ids derive from it). */
  readonly seed: string;
  readonly world: World;
  readonly cloud: CloudView;
  readonly durationMs: number;
  readonly recorder: Recorder;
  readonly submit: Submit;
}
