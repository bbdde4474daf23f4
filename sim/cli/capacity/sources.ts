import { resolve } from 'node:path';
import { FakeVolumeDriver } from '../../../drivers/fake/driver.js';
import {
  backendGroupOptions,
  backendProvisioning,
  defaultGroupOptions,
  lintProvisioning,
  loadCinderConf,
  type BackendConfig,
  type BackendOptionName,
  type CinderConf,
  type DefaultOptionName,
  type Finding,
  type LvmFacts,
  type OptionSource,
  type OptSpec,
} from '../../cinder/config/index.js';
import type { AnyOptionValue } from '../../cinder/config/options.js';
import { formatValue } from '../../cinder/config/render.js';
import { caseSchema, type SchedulerCase } from '../../cinder/scheduler/case.js';
import { schedulerClasses } from '../../cinder/scheduler/index.js';
import type { PoolState } from '../../cinder/scheduler/host-manager.js';
import { capacityJson } from '../../cinder/scheduler/capacity.js';
import { parseGetPools, parseOpenstackPoolList, PoolListingError, type ImportedBackend } from '../../cinder/scheduler/pools-import.js';
import type { Json } from '../../cinder/scheduler/python.js';
import type { SchedulerConfig } from '../../cinder/scheduler/types.js';
import { tables, type VolumeTypeRow } from '../../cinder/db/index.js';
import { SeededRng } from '../../engine/rng.js';
import { defaultCloudFactory, type SimulatedCloud } from '../../harness/simulated-cloud.js';
import { formatDuration, parseDurationMs } from '../../scenario/duration.js';
import { loadScenarioFile, type LoadedScenario } from '../../scenario/loader.js';
import { formatProblem, ScenarioProblems } from '../../scenario/problems.js';
import { RunAborted, runScenario } from '../../scenario/runner.js';
import { readLayers, type NodeLayers } from '../conf-layers.js';
import { readText, UserError, type CliIo } from '../io.js';

/**
 * The cloud `cinder-sim capacity` plans on, as a scheduling case (backends
 * and scheduler options), from one of: a pool listing, a scenario's cloud
 * at a virtual time, or cinder.conf files over fake LVM storage.
 */

/** One backend's provisioning in effect, in words, with where each number came from. */
export interface BackendInEffect {
  backend: string;
  provisioning: 'thin' | 'thick' | 'driver-defined';
  why: string;
  max_over_subscription_ratio: string;
  ratio_source: string;
  reserved_percentage: number;
  reserved_source: string;
}

export interface CapacityCloud {
  /** Where the cloud came from, in words. */
  source: string;
  case: SchedulerCase;
  /** The volume types --volume-type and shapes may name. */
  types: Map<string, Record<string, string>>;
  backends: BackendInEffect[];
  findings: Finding[];
  notes: string[];
  /** --conf: per node, its layers and every option they set, with the file and line that won. */
  configuration?: NodeConfiguration[];
}

/** An option a node's files set, as Cinder reads it: the value and the file and line that won. */
export interface EffectiveOption {
  /** The group the option is read in: DEFAULT or the backend's. */
  section: string;
  option: string;
  value: string;
  file: string;
  line: number;
  /** The section it was written in: differs from `section` for a backend option from [backend_defaults]. */
  from_section: string;
  /** Earlier files' assignments of the option this one overrides. */
  overrides: { file: string; line: number }[];
}

export interface NodeConfiguration {
  node: string;
  /** The files read, in order (directories expanded). */
  files: string[];
  options: EffectiveOption[];
}


function toCase(data: object, where: string): SchedulerCase {
  const parsed = caseSchema.safeParse({ ...data, requests: [] });
  if (!parsed.success) throw new UserError(`${where}: does not make a scheduling case: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** --pools: `cinder get-pools --detail` text or `openstack volume backend pool list --long -f json`. */
export function fromPools(file: string, zones: ReadonlyMap<string, string>, types: Map<string, Record<string, string>>, io: CliIo): CapacityCloud {
  const text = readText(file, io);
  let backends: ImportedBackend[];
  const notes: string[] = [];
  try {
    const result = text.trimStart().startsWith('[') ? parseOpenstackPoolList(JSON.parse(text), (b) => zones.get(b) ?? 'nova') : parseGetPools(text, (b) => zones.get(b) ?? 'nova');
    notes.push(...result.warnings.map((w) => `${file}: warning: ${w}`));
    backends = result.backends;
  } catch (e) {
    if (e instanceof PoolListingError || e instanceof SyntaxError) throw new UserError(`${file}: not a pool listing (cinder get-pools --detail, or openstack volume backend pool list --long -f json): ${e.message}`);
    throw e;
  }
  if (backends.length === 0) throw new UserError(`${file}: no pool found; expected the output of cinder get-pools --detail, or openstack volume backend pool list --long -f json`);
  for (const host of zones.keys()) {
    if (!backends.some((b) => b.host === host)) throw new UserError(`--backend-az: no backend ${host} in ${file}; backends: ${backends.map((b) => b.host).join(', ')}`);
  }
  const inEffect: BackendInEffect[] = backends.flatMap((b) =>
    b.capabilities.pools.map((p) => {
      const thin = p['thin_provisioning_support'] === true;
      const ratio = p['max_over_subscription_ratio'];
      const reserved = p['reserved_percentage'];
      return {
        backend: `${b.host}#${String(p['pool_name'])}`,
        provisioning: thin ? ('thin' as const) : ('thick' as const),
        why: `thin_provisioning_support ${thin ? 'True' : 'False'} in the listing`,
        max_over_subscription_ratio: ratio === undefined || ratio === null ? '20.0' : typeof ratio === 'number' && Number.isInteger(ratio) ? ratio.toFixed(1) : String(ratio),
        ratio_source: ratio === undefined || ratio === null ? "the scheduler's option default; the listing has none" : 'reported by the pool',
        reserved_percentage: typeof reserved === 'number' ? reserved : 0,
        reserved_source: typeof reserved === 'number' ? 'reported by the pool' : 'none reported: 0',
      };
    }),
  );
  return { source: `--pools ${file}`, case: toCase({ backends }, file), types, backends: inEffect, findings: [], notes };
}

/** --vg-size BACKEND=GB or HOST@BACKEND=GB. */
export function parseVgSizes(flags: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of flags) {
    const eq = f.lastIndexOf('=');
    const gb = Number(f.slice(eq + 1));
    if (eq <= 0 || !(gb > 0) || f.slice(eq + 1).trim() === '') throw new UserError(`--vg-size '${f}': expected BACKEND=GB or HOST@BACKEND=GB with GB > 0, e.g. lvm=2000`);
    out.set(f.slice(0, eq), gb);
  }
  return out;
}

function schedulerConfigOf(conf: CinderConf): Record<string, Json> {
  return configOf(conf.defaults, conf.scheduler_max_over_subscription_ratio.value);
}

function confInEffect(b: BackendConfig, facts: LvmFacts): BackendInEffect {
  const p = backendProvisioning(b, facts);
  return {
    backend: b.host,
    provisioning: p.provisioning ?? 'driver-defined',
    why: p.lvm_type === null ? 'decided by the driver' : `lvm_type ${p.lvm_type.configured} (${p.lvm_type.source}): ${p.lvm_type.why}`,
    max_over_subscription_ratio: p.max_over_subscription_ratio.value,
    ratio_source: p.max_over_subscription_ratio.source,
    reserved_percentage: p.reserved_percentage.value,
    reserved_source: p.reserved_percentage.source,
  };
}

/**
 * --conf: each node's cinder.conf, in layers (sim/cli/conf-layers.ts: later
 * files override earlier ones option by option, as oslo.config reads
 * repeated --config-file / --config-dir); the node's name stands for its
 * hostname (the host, unless a file sets one).  Every enabled LVM backend
 * is fake LVM storage of its VG size (--vg-size, else the fake driver's
 * 1000 GB), reporting as the driver would at start.  The scheduler runs
 * with the first node's options.  A file oslo.config refuses to parse is a
 * UserError naming its lines.
 */
export function fromConfs(nodes: readonly NodeLayers[], flags: readonly string[], vgSizes: ReadonlyMap<string, number>, types: Map<string, Record<string, string>>, io: CliIo): CapacityCloud {
  const confs = nodes.map((n) => {
    const conf = loadCinderConf(readLayers(n.layers, io), { host: n.node, schedulerClasses });
    const refused = conf.findings.filter((f) => f.rule === 'parse-error');
    if (refused.length > 0) throw new UserError(refused.map((f) => `${f.file ?? n.layers.join(',')}:${f.line ?? ''}: ${f.message}`).join('\n'));
    return conf;
  });
  const allFiles = [...new Set(confs.flatMap((c) => c.files))];
  const backends: object[] = [];
  const inEffect: BackendInEffect[] = [];
  const findings: Finding[] = [];
  const notes: string[] = [];
  const used = new Set<string>();
  const known: string[] = [];
  for (const conf of confs) {
    findings.push(...conf.findings.filter((f) => f.severity === 'error'));
    const facts = new Map<string, LvmFacts>();
    for (const b of conf.backends) {
      known.push(b.name, b.host);
      if (b.start_failure !== null || !b.driver_modelled) {
        notes.push(`${b.host}: left out: ${b.start_failure ?? `volume_driver ${b.options.volume_driver} is not modelled`}`);
        continue;
      }
      const key = vgSizes.has(b.host) ? b.host : b.name;
      const vg = vgSizes.get(key);
      if (vg !== undefined) used.add(key);
      const driver = new FakeVolumeDriver({ vg_size_gb: vg ?? 1000 }, b.options, new SeededRng('capacity', b.host), b.host.split('@')[0]!);
      facts.set(b.host, driver.lvmFacts());
      const setup = driver.doSetup();
      if (!setup.ok) {
        notes.push(`${b.host}: left out: the driver does not start (${setup.message})`);
        continue;
      }
      const stats = driver.getVolumeStats();
      const extra = b.extra_capabilities as Record<string, Json>;
      const pools = stats.pools.map((p) => ({ ...extra, ...(p as unknown as Record<string, Json>), allocated_capacity_gb: 0 }));
      backends.push({ host: b.host, availability_zone: b.availability_zone, ...(b.cluster !== null ? { cluster_name: b.cluster } : {}), capabilities: { ...(stats as unknown as Record<string, Json>), pools } });
      const mine = confInEffect(b, facts.get(b.host)!);
      const size = vg === undefined ? `VG 1000 GB (the fake driver's default; --vg-size ${b.name}=GB)` : `VG ${vg} GB`;
      inEffect.push({ ...mine, why: `${mine.why}; ${size}` });
    }
    findings.push(...lintProvisioning(conf, (b) => facts.get(b.host) ?? driverlessFacts));
  }
  for (const key of vgSizes.keys()) if (!used.has(key)) throw new UserError(`--vg-size: no LVM backend ${key} in ${allFiles.join(', ')}; backends: ${[...new Set(known)].join(', ') || '(none)'}`);
  if (backends.length === 0) throw new UserError(`${allFiles.join(', ')}: no enabled LVM backend to plan on${notes.length ? ` (${notes.join('; ')})` : ''}`);
  const configuration = confs.map((c, i) => nodeConfiguration(nodes[i]!.node, c));
  return { source: flags.join(' '), case: toCase({ backends, config: schedulerConfigOf(confs[0]!) }, allFiles[0]!), types, backends: inEffect, findings, notes, configuration };
}

/** Every option a node's files set, with the file and line that won (and what it overrode). */
function nodeConfiguration(node: string, conf: CinderConf): NodeConfiguration {
  const options: EffectiveOption[] = [];
  const add = (section: string, option: string, value: AnyOptionValue, source: OptionSource, spec?: OptSpec): void => {
    if (source.kind !== 'file') return;
    options.push({ section, option, value: formatValue(value, spec), file: source.file, line: source.line, from_section: source.section, overrides: source.overrides ?? [] });
  };
  for (const [name, spec] of Object.entries(defaultGroupOptions) as [DefaultOptionName, OptSpec][]) add('DEFAULT', name, conf.defaults[name], conf.defaultSources[name], spec);
  for (const b of conf.backends) {
    for (const [name, spec] of Object.entries(backendGroupOptions) as [BackendOptionName, OptSpec][]) add(b.name, name, b.options[name], b.sources[name], spec);
    for (const o of b.other_options) add(b.name, o.key, o.value, { kind: 'file', file: o.file, line: o.line, section: b.name });
  }
  return { node, files: conf.files, options };
}

const driverlessFacts: LvmFacts = { thinSupported: true, thinPoolExists: false, hasLvs: false };

/**
 * --scenario FILE --at T: the scenario run to virtual time T with the
 * simulator (its seed), and the cloud as the scheduler sees it then: the
 * pools a scheduling call at T would start from (reports pulled, consumed
 * capacity included), the service rows, the scheduler's options, the
 * volume table and the volume types that exist at T.
 */
export function fromScenario(file: string, at: string | undefined, seedFlag: string | undefined, io: CliIo): CapacityCloud {
  let loaded: LoadedScenario;
  try {
    loaded = loadScenarioFile(resolve(io.cwd, file), io.cwd);
  } catch (e) {
    if (e instanceof ScenarioProblems) throw new UserError(e.problems.map((p) => formatProblem(p)).join('\n'));
    throw e;
  }
  const s = loaded.scenario;
  const durationMs = parseDurationMs(s.duration) ?? 0;
  let atMs = durationMs;
  if (at !== undefined) {
    const ms = parseDurationMs(/^\d+$/.test(at) ? Number(at) : at);
    if (ms === null) throw new UserError(`--at '${at}': expected a duration such as 500ms, 70s, 5m, 1h30m, 2d or 1y (or milliseconds)`);
    if (ms > durationMs) throw new UserError(`--at ${at}: beyond the scenario's duration ${formatDuration(durationMs)} (${file}); give a time from 0s to ${formatDuration(durationMs)}`);
    atMs = ms;
  }
  const seed = seedFlag ?? (s.seed !== undefined ? String(s.seed) : '1');
  return scenarioCloudAt(loaded, atMs, seed, { file, replay: `cinder-sim run ${file} --seed ${seed}`, source: `--scenario ${file} --at ${formatDuration(atMs)} (seed ${seed})` });
}

/**
 * A loaded scenario run with `seed` to virtual time `atMs` and its cloud as
 * the scheduler sees it then (see fromScenario); `bench scenario --cinder`
 * takes its fleet this way too.  `file` names the scenario in errors,
 * `replay` is the run's replay line, `source` says where the cloud came from.
 */
export function scenarioCloudAt(loaded: LoadedScenario, atMs: number, seed: string, names: { file: string; replay: string; source: string }): CapacityCloud {
  const { file, replay, source } = names;
  let taken: CapacityCloud | null = null;
  const take = (sc: SimulatedCloud): void => {
    taken = scenarioCloud(sc, loaded, source);
    sc.world.sim.stop();
  };
  try {
    runScenario(loaded, {
      seed,
      replay,
      records: 'lean',
      cloud: (input, sd, shortcuts) => {
        const sc = defaultCloudFactory(input, sd, shortcuts);
        // At T, after what was scheduled for T before the run began.
        sc.at(atMs, () => sc.at(atMs, () => take(sc), 'capacity: take the cloud'), 'capacity');
        return sc;
      },
    });
  } catch (e) {
    if (e instanceof RunAborted) throw new UserError(`${file}: the run stopped at t=${formatDuration(e.atMs)} on a broken invariant (a bug), before --at: ${e.message}\nreproduce: ${e.replay}`);
    throw e;
  }
  if (taken === null) throw new UserError(`${file}: the run ended before ${formatDuration(atMs)}`);
  return taken;
}

function scenarioCloud(sc: SimulatedCloud, loaded: LoadedScenario, source: string): CapacityCloud {
  const sched = sc.cloud.schedulers[0];
  if (sched === undefined) throw new UserError(`${loaded.file}: the scenario runs no cinder-scheduler; capacity needs one`);
  const pools: readonly PoolState[] = sched.refreshNow();
  const infos = new Map(sched.serviceInfos().map((s) => [s.host, s]));
  const counts = new Map<string, number>();
  for (const v of sc.view.volumes()) if (v.host !== null) counts.set(v.host, (counts.get(v.host) ?? 0) + 1);
  const byBackend = new Map<string, PoolState[]>();
  for (const p of pools) byBackend.set(p.backendHost, [...(byBackend.get(p.backendHost) ?? []), p]);
  const backends = [...byBackend].map(([host, ps]) => {
    const info = infos.get(host);
    return {
      host,
      availability_zone: info?.availability_zone ?? ps[0]!.service.availability_zone,
      ...(ps[0]!.clusterName ? { cluster_name: ps[0]!.backendKey } : {}),
      capabilities: { pools: ps.map((p) => poolCapabilities(p, counts)) },
    };
  });
  const schedNode = sc.cloud.spec.nodes.find((n) => n.services.includes('cinder-scheduler'));
  const config = configOf(sched.filterScheduler.config, String(schedNode?.DEFAULT.max_over_subscription_ratio ?? '20.0'));
  const types = new Map<string, Record<string, string>>();
  for (const t of (sc.world.db.rows(tables.volumeTypes) as Map<string, VolumeTypeRow>).values()) if (!t.deleted) types.set(t.name, { ...t.extra_specs });
  const inEffect: BackendInEffect[] = [];
  const findings: Finding[] = [];
  for (const [node, conf] of loaded.cinderConfs) {
    const facts = new Map<string, LvmFacts>();
    for (const b of conf.backends) {
      const driver = sc.cloud.drivers.get(b.host);
      if (driver === undefined) continue;
      facts.set(b.host, driver.lvmFacts());
      inEffect.push(confInEffect(b, driver.lvmFacts()));
    }
    findings.push(...lintProvisioning(conf, (b) => facts.get(b.host) ?? driverlessFacts).map((f) => ({ ...f, message: `node ${node}: ${f.message}` })));
  }
  const data = { backends, config };
  return { source, case: toCase(data, loaded.file), types, backends: inEffect, findings, notes: [] };
}

/** A pool's capability dict with the numbers the scheduler holds now (consumption included, the ratio as computed). */
function poolCapabilities(p: PoolState, counts: ReadonlyMap<string, number>): Record<string, Json> {
  let volumes = 0;
  for (const [host, n] of counts) if (host === p.host || host.startsWith(`${p.host}#`)) volumes += n;
  return {
    ...(p.capabilities as Record<string, Json>),
    pool_name: p.poolName,
    total_capacity_gb: capacityJson(p.totalCapacityGb),
    free_capacity_gb: capacityJson(p.freeCapacityGb),
    allocated_capacity_gb: p.allocatedCapacityGb,
    provisioned_capacity_gb: p.provisionedCapacityGb,
    reserved_percentage: p.reservedPercentage,
    thin_provisioning_support: p.thinProvisioningSupport,
    thick_provisioning_support: p.thickProvisioningSupport,
    max_over_subscription_ratio: p.maxOverSubscriptionRatio,
    volume_count: volumes,
  };
}

/** A case's scheduler options from the scheduler's own (a SchedulerConfig, or cinder.conf's [DEFAULT] that carries the same fields). */
function configOf(c: Pick<SchedulerConfig, 'scheduler_default_filters' | 'scheduler_default_weighers' | 'capacity_weight_multiplier' | 'allocated_capacity_weight_multiplier' | 'volume_number_multiplier' | 'scheduler_max_attempts'>, ratio: string): Record<string, Json> {
  return {
    filters: [...c.scheduler_default_filters],
    weighers: [...c.scheduler_default_weighers],
    capacity_weight_multiplier: c.capacity_weight_multiplier,
    allocated_capacity_weight_multiplier: c.allocated_capacity_weight_multiplier,
    volume_number_multiplier: c.volume_number_multiplier,
    scheduler_max_attempts: c.scheduler_max_attempts,
    max_over_subscription_ratio: ratio,
  };
}
