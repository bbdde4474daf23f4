import { getHeapStatistics } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { defaultGroupOptions } from '../../cinder/config/options.js';
import { defaultCloudFactory } from '../../harness/simulated-cloud.js';
import { loadScenarioText } from '../../scenario/loader.js';
import { runScenario } from '../../scenario/runner.js';
import { UserError } from '../io.js';
import { cinderOnScenario } from './scenario-cinder.js';
import { peakRssMb, type Bench, type BenchOptions } from './types.js';

const BACKENDS_PER_NODE = 10;
const DAY_H = 24;
const YEAR_H = 365 * DAY_H;
const LIFETIME_MEAN_H = 30 * DAY_H;
/**
 * How often each backend's cinder-volume sends the scheduler its
 * capabilities, s: the report task (spacing backend_stats_polling_interval)
 * runs on the periodic tasks timer (periodic_interval), both 60 s by
 * default and left at that by the bench's cinder.conf.
 */
const REPORT_PERIOD_S = Math.max(defaultGroupOptions.periodic_interval.default, defaultGroupOptions.backend_stats_polling_interval.default);

/**
 * A large cloud through the real scenario runner: B backends (ten per
 * volume node), a controller with cinder-api and cinder-scheduler, every
 * heartbeat and capability report at Cinder's defaults (report_interval
 * 10 s, periodic_interval 60 s), and a Poisson workload of creates whose
 * volumes live 30 days on average and are then deleted, so a year carries
 * about R requests (creates, and the deletes of the volumes whose lifetime ends within the run).  Records are kept as
 * counts ('lean'), as a year of outcome.json would not be read by anyone.
 */
export const scenarioBench: Bench = {
  describe: "a year of a large cloud: --backends B --requests R --years Y [--cinder N: the real Cinder on the run's first N creates]",
  run(opts: BenchOptions) {
    const backends = need(opts.backends, '--backends', 1_000);
    const requests = need(opts.requests, '--requests', 1_000_000);
    const years = opts.years ?? 1;
    if (!(years > 0 && years <= 10)) throw new UserError(`bench scenario: --years must be in (0, 10], got ${String(opts.years)}`);
    const sample = opts.cinder ?? 0;
    if (!Number.isInteger(sample) || sample < 0 || sample === 1) throw new UserError(`bench scenario: --cinder must be 0 (do not run Cinder, the default) or an integer >= 2, got ${String(opts.cinder)}`);
    const text = benchScenario(backends, requests, years);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const loaded = loadScenarioText(text, 'bench-scenario.yaml', '.');
    const outcome = runScenario(loaded, { seed: opts.seed, cloud: defaultCloudFactory, replay: `cinder-sim bench scenario --seed ${opts.seed}`, records: 'lean' });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const figures = {
      bench: 'scenario',
      seed: opts.seed,
      backends,
      simulated_days: Math.round(years * 365),
      seconds: Math.round(seconds * 1000) / 1000,
      // The process's CPU time over the run (every thread: the collector's helpers too), steadier than wall time on a shared machine.
      cpu_seconds: round((cpu.user + cpu.system) / 1e6, 3),
      requests: outcome.summary.requests,
      requests_succeeded: outcome.summary.requests_succeeded,
      requests_refused: outcome.summary.requests_refused,
      requests_failed: outcome.summary.requests_failed,
      creates: outcome.summary.creates,
      scheduling_decisions: outcome.summary.decisions,
      decisions_digest: outcome.summary.decisions_digest ?? '',
      events: outcome.end.events,
      heartbeats_modelled: Math.floor((years * YEAR_H * 3600) / 10) * (backends + 1),
      peak_rss_mb: peakRssMb(),
      // V8 grows its heap lazily up to this limit (node --max-old-space-size=N sets it): peak RSS follows it.
      heap_limit_mb: Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024),
    };
    if (sample === 0) return figures;
    // Every backend reports once a period: at the run's pace of decisions, this many reports reach the scheduler between two of them.
    const virtualSeconds = outcome.end.time_ms / 1000;
    const reportsPerDecision = round((backends * virtualSeconds) / Math.max(1, figures.scheduling_decisions) / REPORT_PERIOD_S, 3);
    // After our figures: the two short runs that build Cinder's case are not ours to time.
    const cinder = cinderOnScenario(loaded, opts.seed, sample, reportsPerDecision);
    if (cinder.time === undefined || cinder.withReports === undefined) return { ...figures, ...cinder.figures };
    const { ms, cpuMs } = cinder.time;
    const cinderSeconds = round((ms * figures.scheduling_decisions) / 1000, 3);
    const cinderCpuSeconds = round((cpuMs * figures.scheduling_decisions) / 1000, 3);
    const withReports = cinder.withReports;
    return {
      ...figures,
      cinder_ms_per_decision: ms,
      cinder_cpu_ms_per_decision: cpuMs,
      ...cinder.figures,
      // Cinder's scheduler alone making every decision of the run, against our whole run.
      cinder_seconds_for_all_decisions: cinderSeconds,
      times_faster: round(cinderSeconds / figures.seconds, 1),
      cinder_cpu_seconds_for_all_decisions: cinderCpuSeconds,
      times_faster_cpu: round(cinderCpuSeconds / figures.cpu_seconds, 1),
      // A cinder-scheduler process at the run's pace also takes every backend's capability reports between decisions (see README).
      virtual_seconds: virtualSeconds,
      report_period_s: REPORT_PERIOD_S,
      reports_per_decision: reportsPerDecision,
      cinder_with_reports_ms_per_decision: withReports.ms,
      cinder_with_reports_cpu_ms_per_decision: withReports.cpuMs,
      times_faster_with_reports: round((withReports.ms * figures.scheduling_decisions) / 1000 / figures.seconds, 1),
      times_faster_with_reports_cpu: round((withReports.cpuMs * figures.scheduling_decisions) / 1000 / figures.cpu_seconds, 1),
    };
  },
};

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function need(v: number | undefined, flag: string, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`bench scenario: ${flag} must be a positive integer, got ${String(v)}`);
  return n;
}

/** The scenario file the bench runs (also a template for large scenarios of one's own). */
export function benchScenario(backends: number, requests: number, years: number): string {
  const nodes = Math.ceil(backends / BACKENDS_PER_NODE);
  const hours = years * YEAR_H;
  // A create arriving at a uniform time in [0, T] whose volume lives Exp(mean) is deleted
  // within the run with probability 1 - (mean / T)(1 - e^(-T / mean)): creates are sized so
  // that creates and deletes together come to about R.
  const deleted = 1 - (LIFETIME_MEAN_H / hours) * (1 - Math.exp(-hours / LIFETIME_MEAN_H));
  const perHour = requests / (1 + deleted) / hours;
  const lines = [
    'version: 1',
    'name: bench-scenario',
    `description: ${backends} backends, ${years} year(s), about ${requests} requests`,
    `duration: ${Math.round(hours)}h`,
    'sample_every: 30d',
    'topology:',
    '  nodes:',
    '    - {name: controller, services: [cinder-api, cinder-scheduler]}',
  ];
  let left = backends;
  for (let n = 1; n <= nodes; n++) {
    const here = Math.min(BACKENDS_PER_NODE, left);
    left -= here;
    const groups = Array.from({ length: here }, (_, i) => `b${i + 1}`);
    const conf = ['[DEFAULT]', `enabled_backends = ${groups.join(',')}`, ...groups.flatMap((g) => [`[${g}]`, 'volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver', `volume_group = vg-${g}`, 'volume_backend_name = LVM'])];
    lines.push(`    - name: node${n}`, `      cinder_conf: ${JSON.stringify(conf.join('\n') + '\n')}`, '      backends:');
    for (const g of groups) lines.push(`        ${g}: {vg_size_gb: 20000}`);
  }
  lines.push(
    '  projects:',
    '    load: {quotas: {volumes: -1, gigabytes: -1, snapshots: -1}}',
    'workloads:',
    '  - name: load',
    `    arrival: {process: poisson, per_hour: ${perHour}}`,
    '    size_gb: {dist: lognormal, median: 20, sigma: 1, max: 1000}',
    `    lifetime: {dist: exponential, mean: ${LIFETIME_MEAN_H}h}`,
    '    projects: [load]',
  );
  return lines.join('\n') + '\n';
}
