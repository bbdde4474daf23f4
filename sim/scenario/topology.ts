import { loadCinderConf, type CinderConf, type Finding } from '../cinder/config/index.js';
import type { ClockSpec } from '../ports/clock.js';
import type { Scenario } from './schema.js';

/**
 * A scenario's topology in the words the cloud builder takes: per node its
 * services, clock, [DEFAULT] options and one entry per enabled backend
 * (cinder.conf's options merged over the fake driver's settings).
 */
export interface NodePlan {
  name: string;
  services: string[];
  clock: Required<ClockSpec>;
  DEFAULT: Record<string, unknown>;
  backends: Record<string, Record<string, unknown>>;
  conf: CinderConf | null;
}

/** A conf finding as a scenario problem: the conf's file and line, or the scenario's line for inline text. */
export interface ConfProblem {
  node: string;
  finding: Finding;
}

/** Parse each node's cinder.conf as Cinder would on that host (CONF.host defaults to the node's name). */
export function loadConfs(s: Scenario, confs: ReadonlyMap<string, { file: string; text: string }>): Map<string, CinderConf> {
  const out = new Map<string, CinderConf>();
  for (const n of s.topology.nodes) {
    const c = confs.get(n.name);
    if (c) out.set(n.name, loadCinderConf([{ path: c.file, text: c.text }], { host: n.name }));
  }
  return out;
}

/**
 * Build the node plans.  cinder.conf is the truth for every option it sets
 * in a file; the scenario's `backends.<group>` supplies the physical facts
 * (VG size, pools, latency, failures) and options the file leaves unset.
 */
export function planNodes(s: Scenario, rawBackends: (node: string, group: string) => Record<string, unknown>, confs: ReadonlyMap<string, CinderConf>): NodePlan[] {
  return s.topology.nodes.map((n) => {
    const conf = confs.get(n.name) ?? null;
    const DEFAULT: Record<string, unknown> = {};
    const backends: Record<string, Record<string, unknown>> = {};
    if (conf) {
      for (const [k, v] of Object.entries(conf.defaults)) if (v !== null) DEFAULT[k] = v;
      for (const b of conf.backends) {
        const fromFile: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(b.options)) {
          const src = b.sources[k as keyof typeof b.sources];
          // A template default the files resolved ('$my_ip' with my_ip set) is the file's value too.
          const resolvedTemplate = src?.kind === 'default' && src.template !== undefined && !String(v).includes('$');
          if (v !== null && src && (src.kind !== 'default' || resolvedTemplate)) fromFile[k] = v;
        }
        if (b.reported_volume_backend_name !== null && fromFile['volume_backend_name'] === undefined) {
          fromFile['volume_backend_name'] = b.reported_volume_backend_name;
        }
        backends[b.name] = { ...rawBackends(n.name, b.name), ...fromFile };
      }
    }
    return {
      name: n.name,
      services: [...n.services],
      clock: n.clock ? { ...n.clock } : { offset_ms: 0, drift_ppm: 0, ntp: { mode: 'off' } },
      DEFAULT,
      backends,
      conf,
    };
  });
}
