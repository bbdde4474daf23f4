import { loadCinderConf, resolveServiceDefaults, SIMULATED_NODE_IP, type BackendOptions, type CinderConf, type Finding, type ServiceDefaults } from '../cinder/config/index.js';
import { schedulerClasses } from '../cinder/scheduler/index.js';
import type { FakeBackendInput } from '../../drivers/fake/spec.js';
import type { RealBackendSpec } from '../cinder/cloud/spec.js';
import type { ClockSpec } from '../ports/clock.js';
import type { BackendStorageSpecT, NodeSpecT, Scenario } from './schema.js';

/**
 * A scenario's topology in the words the cloud builder takes: per node its
 * services, clock, [DEFAULT] options and one entry per enabled backend: the
 * group's options as cinder.conf resolves them, and the fake storage
 * behind it from the scenario's `backends:`.
 */
export interface NodePlan {
  name: string;
  services: string[];
  /** Services deployed mid-run (add_service faults): built with the rest, started at the fault's time. */
  startLater: string[];
  clock: Required<ClockSpec>;
  DEFAULT: ServiceDefaults;
  backends: Record<string, { options: BackendOptions; storage: FakeBackendInput; real?: RealBackendSpec }>;
  conf: CinderConf | null;
}

/** A conf finding as a scenario problem: the conf's file and line, or the scenario's line for inline text. */
export interface ConfProblem {
  node: string;
  finding: Finding;
}

/** Parse each node's cinder.conf as Cinder would on that host (CONF.host defaults to the node's name, CONF.my_ip to its address). */
export function loadConfs(s: Scenario, confs: ReadonlyMap<string, { file: string; text: string }>): Map<string, CinderConf> {
  const out = new Map<string, CinderConf>();
  for (const n of s.topology.nodes) {
    const c = confs.get(n.name);
    if (c) out.set(n.name, loadNodeConf(n.name, c));
  }
  return out;
}

/** Parse a cinder.conf as Cinder would on the node (a node's own, or a conf_change fault's). */
export function loadNodeConf(node: string, c: { file: string; text: string }): CinderConf {
  return loadCinderConf([{ path: c.file, text: c.text }], { host: node, myIp: SIMULATED_NODE_IP, schedulerClasses });
}

/**
 * A node's options from its cinder.conf (the defaults without one), and per
 * enabled backend its group's options and the fake storage from the node's
 * `backends:` physical facts (the fake driver's defaults where none are given).
 */
export function planConf(n: Pick<NodeSpecT, 'name' | 'backends'>, conf: CinderConf | null): Pick<NodePlan, 'DEFAULT' | 'backends'> {
  const backends: NodePlan['backends'] = {};
  for (const b of conf?.backends ?? []) {
    backends[b.name] = { options: b.options, ...backendStorage(n.backends[b.name]) };
  }
  const DEFAULT = conf ? { ...conf.defaults, max_over_subscription_ratio: conf.scheduler_max_over_subscription_ratio.value } : resolveServiceDefaults(n.name);
  return { DEFAULT, backends };
}

/**
 * The fake storage behind a backend, and for one marked `driver: loop-lvm`
 * the real backend's spec with the fake that models it in a simulated run:
 * a VG of the backing file's size; thin and snapshots only in full mode.
 */
export function backendStorage(spec: BackendStorageSpecT | undefined): { storage: FakeBackendInput; real?: RealBackendSpec } {
  if (spec === undefined) return { storage: {} };
  if (spec.driver === 'loop-lvm') {
    const full = spec.mode === 'full';
    return { storage: { vg_size_gb: spec.backing_file_gb, thin_supported: full, snapshot_support: full }, real: { driver: spec.driver, backing_file_gb: spec.backing_file_gb, mode: spec.mode } };
  }
  const { driver: _fake, ...storage } = spec;
  return { storage };
}

/**
 * Build the node plans.  cinder.conf gives every option (Cinder's default
 * where the file sets none; a node without one runs on the defaults); the
 * scenario's `backends.<group>` gives only the physical facts (VG size,
 * pools, latency, failures).
 */
export function planNodes(s: Scenario, confs: ReadonlyMap<string, CinderConf>): NodePlan[] {
  return s.topology.nodes.map((n) => {
    const conf = confs.get(n.name) ?? null;
    const { DEFAULT, backends } = planConf(n, conf);
    const later = [...new Set(s.faults.flatMap((f) => (f.fault === 'add_service' && f.node === n.name && !n.services.includes(f.binary) ? [f.binary] : [])))];
    return {
      name: n.name,
      services: [...n.services, ...later],
      startLater: later,
      clock: n.clock ? { ...n.clock } : { offset_ms: 0, drift_ppm: 0, ntp: { mode: 'off' } },
      DEFAULT,
      backends,
      conf,
    };
  });
}
