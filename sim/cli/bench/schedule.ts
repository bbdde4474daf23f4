import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { caseDecisions, caseSchema } from '../../cinder/scheduler/case.js';
import { World } from '../../engine/world.js';
import { packageRoot } from '../../scenario/library.js';
import { UserError } from '../io.js';
import { generateScheduleCase } from './schedule-case.js';
import { type Bench, type BenchFigures, type BenchOptions } from './types.js';

const RUNS = 3;

/**
 * `cinder-sim schedule CASE --brief > /dev/null` as a whole process (start,
 * read and check the case, decide every request, print), against the real
 * Cinder 2023.1 FilterScheduler deciding the first N requests of the same
 * case (the differential harness under test/conformance/cinder-diff).
 * Cinder's figure per decision leaves its start-up out: the time for N
 * requests less the time for one, over N - 1.  Ours keeps start-up in.
 */
export const scheduleBench: Bench = {
  describe: 'schedule --brief as a process vs the real Cinder: --backends B --requests R --cinder N',
  run(opts: BenchOptions) {
    const backends = positive(opts.backends, '--backends', 1000);
    const requests = positive(opts.requests, '--requests', 3000);
    const sample = opts.cinder ?? 100;
    if (!Number.isInteger(sample) || sample < 0 || sample === 1) throw new UserError(`bench schedule: --cinder must be 0 (do not run Cinder) or an integer >= 2, got ${String(opts.cinder)}`);
    const c = generateScheduleCase(backends, requests, opts.seed);
    const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-bench-'));
    try {
      const file = opts.writeCase ?? join(dir, 'case.json');
      writeFileSync(file, JSON.stringify(c));
      const ours = timeOurs(file);
      const figures: BenchFigures = {
        bench: 'schedule',
        seed: opts.seed,
        backends,
        pools: c.backends.reduce((n, b) => n + (b.capabilities['pools'] as unknown[]).length, 0),
        requests,
        ours_seconds: round(ours, 3),
        ours_ms_per_decision: round((ours * 1000) / requests, 4),
      };
      if (sample === 0) return figures;
      const cinder = timeCinder(c, Math.min(sample, requests), dir);
      if (typeof cinder === 'string') return { ...figures, cinder: cinder };
      return {
        ...figures,
        cinder_sample: cinder.sample,
        cinder_ms_per_decision: round(cinder.msPerDecision, 2),
        cinder_cpu_ms_per_decision: round(cinder.cpuMsPerDecision, 2),
        sample_same_selections: sameSelections(c, cinder.selected, opts.seed),
        times_faster_per_decision: Math.round(cinder.msPerDecision / ((ours * 1000) / requests)),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** The median of RUNS whole-process runs, in seconds. */
function timeOurs(file: string): number {
  const bin = join(packageRoot(), 'dist', 'sim', 'cli', 'bin.js');
  if (!existsSync(bin)) throw new UserError(`bench schedule: ${bin} is missing; build first (npm run build)`);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'schedule', file, '--brief'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    times.push((performance.now() - t0) / 1000);
    if (r.status !== 0) throw new Error(`cinder-sim schedule exited with ${String(r.status)}: ${r.stderr}`);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1]!;
}

/** A case in the `cinder-sim schedule` format, with its requests: what the real Cinder and cinder-sim both decide. */
export type TimedCase = object & { requests: readonly object[] };

/** Cinder's time per decision: wall time, and the CPU time of its Python process (steadier on a shared machine). */
export interface CinderTime {
  sample: number;
  msPerDecision: number;
  cpuMsPerDecision: number;
  selected: (string | null)[];
}

/**
 * Python lines that time the harness's requests inside its process: the
 * wall and CPU time of every request after the first (the first takes
 * Cinder's first look at every backend), reported on stderr at exit.
 * Python's start and Cinder's import are outside the clock, so one run
 * of N requests gives the time per decision.
 */
const TIMED_REQUESTS = [
  'import time as _time',
  '_decide = run_cinder.run_request',
  "_timed = {'wall': 0.0, 'cpu': 0.0, 'n': 0}",
  'def _timed_request(sched, r, index, counts, update_db):',
  '    if index == 0:',
  '        return _decide(sched, r, index, counts, update_db)',
  '    w0, c0 = _time.perf_counter(), _time.process_time()',
  '    res = _decide(sched, r, index, counts, update_db)',
  "    _timed['cpu'] += _time.process_time() - c0",
  "    _timed['wall'] += _time.perf_counter() - w0",
  "    _timed['n'] += 1",
  '    return res',
  'run_cinder.run_request = _timed_request',
  "atexit.register(lambda: sys.stderr.write('\\ntimed_requests %d wall %.6f cpu %.6f\\n' % (_timed['n'], _timed['wall'], _timed['cpu'])))",
];

/**
 * run_cinder.py as the bench runs it: its trace (every request's
 * candidates, each filter's survivors, the weighed list, all printed) is
 * the differential test's record, not Cinder's work, so it is left out;
 * the pool Cinder selects is still answered.  The requests are timed
 * (TIMED_REQUESTS).
 */
const UNTRACED_HARNESS = [
  'import atexit, contextlib, os, sys',
  'harness = sys.argv[1]',
  'sys.argv = [harness]',
  'sys.path.insert(0, os.path.dirname(harness))',
  'import run_cinder',
  'run_cinder.Trace.installed = lambda self: contextlib.nullcontext()',
  ...TIMED_REQUESTS,
  'run_cinder.main()',
].join('\n');

/**
 * UNTRACED_HARNESS with the capability reports a cinder-scheduler process
 * takes between two decisions (argv[2]: reports per decision, a fraction
 * carried over from one request to the next).  Before each request, that
 * many reports, round-robin over the case's backends in the case's order,
 * go through the scheduler manager's own RPC handler
 * (SchedulerManager.update_service_capabilities, called with the driver
 * the harness built) as the cast arrives: the capabilities decoded from
 * JSON, the timestamp a string in PERFECT_TIME_FORMAT, each newer than the
 * last (the host manager ignores an older report).  The handler calls
 * only the host manager's update_service_capabilities; the separate
 * notify_service_capabilities cast a volume service also sends each period
 * is left out (it would emit notifications through a messaging transport).
 * Each backend reports what its driver would after the creates placed on
 * it: the pool's allocated and provisioned capacity up and its free
 * capacity down by the volume's size, as consume_from_volume counts them,
 * so a report re-applies the state the scheduler already holds and every
 * decision stays the one made without reports.
 */
const REPORTING_HARNESS = [
  'import atexit, contextlib, datetime, json, os, sys, types',
  'harness = sys.argv[1]',
  'per_decision = float(sys.argv[2])',
  'sys.argv = [harness]',
  'sys.path.insert(0, os.path.dirname(harness))',
  'import run_cinder',
  'from cinder import context as cinder_context',
  'from cinder.scheduler import manager',
  'from oslo_utils import timeutils',
  'run_cinder.Trace.installed = lambda self: contextlib.nullcontext()',
  '# host -> {cluster, caps (the pools as the driver reports them now), wire (caps as the cast carries them)}',
  'backends = {}',
  'split = run_cinder.split_volume_counts',
  'def split_and_keep(b, counts):',
  '    caps = split(b, counts)',
  '    wire = json.dumps(caps)',
  "    backends[b['host']] = {'cluster': b.get('cluster_name'), 'caps': json.loads(wire), 'wire': wire}",
  '    return caps',
  'run_cinder.split_volume_counts = split_and_keep',
  "sent = {'owed': 0.0, 'next': 0, 'last': None}",
  'def report(sched, ctxt):',
  '    hosts = list(backends)',
  "    sent['owed'] += per_decision",
  "    n = int(sent['owed'])",
  "    sent['owed'] -= n",
  '    for _ in range(n if hosts else 0):',
  "        host = hosts[sent['next'] % len(hosts)]",
  "        sent['next'] += 1",
  '        now = timeutils.utcnow()',
  "        if sent['last'] is not None and now <= sent['last']:",
  "            now = sent['last'] + datetime.timedelta(microseconds=1)",
  "        sent['last'] = now",
  '        b = backends[host]',
  '        manager.SchedulerManager.update_service_capabilities(',
  "            types.SimpleNamespace(driver=sched), ctxt, service_name='volume', host=host,",
  "            capabilities=json.loads(b['wire']), cluster_name=b['cluster'],",
  '            timestamp=now.strftime(timeutils.PERFECT_TIME_FORMAT))',
  'def consumed(selected, size):',
  "    host, _, pool = selected.partition('#')",
  '    b = backends.get(host)',
  "    pools = b['caps'].get('pools') if b else None",
  '    # The bench cases report pools; a legacy pool-less report is re-sent as it was.',
  '    if not isinstance(pools, list):',
  '        return',
  '    for p in pools:',
  "        if p.get('pool_name') != pool:",
  '            continue',
  "        allocated = p.get('allocated_capacity_gb', 0)",
  "        p['provisioned_capacity_gb'] = p.get('provisioned_capacity_gb', allocated) + size",
  "        p['allocated_capacity_gb'] = allocated + size",
  "        free = p.get('free_capacity_gb')",
  '        if isinstance(free, (int, float)) and not isinstance(free, bool):',
  "            p['free_capacity_gb'] = free - size",
  "    b['wire'] = json.dumps(b['caps'])",
  'decide = run_cinder.run_request',
  'def run_request(sched, r, index, counts, update_db):',
  '    report(sched, cinder_context.get_admin_context())',
  '    res = decide(sched, r, index, counts, update_db)',
  "    if r.get('operation', 'create_volume') == 'create_volume' and res['selected']:",
  "        consumed(res['selected'], r['size'])",
  '    return res',
  'run_cinder.run_request = run_request',
  ...TIMED_REQUESTS,
  'run_cinder.main()',
].join('\n');

/**
 * Cinder's time per decision on the case's first `sample` requests (files
 * in `dir`), or why it could not be measured: the time for `sample`
 * requests after the first, timed inside the Python process
 * (TIMED_REQUESTS), over sample - 1: Python's start, Cinder's import and
 * its first look at every backend are left out.  With
 * `reportsPerDecision`, the scheduler also takes that many capability
 * reports before each request (REPORTING_HARNESS).
 */
export function timeCinder(c: TimedCase, sample: number, dir: string, reportsPerDecision?: number): CinderTime | string {
  const harness = join(packageRoot(), 'test', 'conformance', 'cinder-diff', 'run_cinder.py');
  if (!existsSync(harness)) return `not measured: ${harness} is missing (a source checkout has it)`;
  const python = [process.env['CINDER_PYTHON'], '/usr/bin/python3', 'python3'].find((p) => p && spawnSync(p, [harness, '--probe'], { stdio: 'ignore' }).status === 0);
  if (!python) return 'not measured: no python3 imports cinder (apt-get install python3-cinder, or set CINDER_PYTHON)';
  const input = join(dir, `cinder-${sample}.json`);
  writeFileSync(input, JSON.stringify([{ ...c, requests: c.requests.slice(0, sample) }]));
  const fd = openSync(input, 'r');
  let r: SpawnSyncReturns<string>;
  try {
    // PYTHONHASHSEED pinned as the differential test does (Cinder iterates a frozenset of key names).
    const argv = reportsPerDecision === undefined ? ['-c', UNTRACED_HARNESS, harness] : ['-c', REPORTING_HARNESS, harness, String(reportsPerDecision)];
    r = spawnSync(python, argv, { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, PYTHONHASHSEED: '0' } });
  } finally {
    closeSync(fd);
  }
  if (r.status !== 0) throw new Error(`run_cinder.py exited with ${String(r.status)}: ${r.stderr.slice(-500)}`);
  const timed = /timed_requests (\d+) wall ([\d.]+) cpu ([\d.]+)\s*$/.exec(r.stderr);
  if (timed === null) throw new Error(`run_cinder.py did not tell how long its requests took: ${r.stderr.slice(-500)}`);
  const [out] = JSON.parse(r.stdout) as [{ results?: { selected: string | null }[]; harness_error?: string }];
  if (out.results === undefined) throw new Error(`run_cinder.py: ${out.harness_error ?? 'no results'}`);
  const n = Number(timed[1]);
  if (n !== sample - 1) throw new Error(`run_cinder.py timed ${n} requests, expected ${sample - 1}`);
  return { sample, msPerDecision: (Number(timed[2]) * 1000) / n, cpuMsPerDecision: (Number(timed[3]) * 1000) / n, selected: out.results.map((x) => x.selected) };
}

/** Whether cinder-sim chose the very pools Cinder chose for the sample (so both timed the same work). */
export function sameSelections(c: TimedCase, cinder: readonly (string | null)[], seed: string): boolean {
  const parsed = caseSchema.parse({ ...c, requests: c.requests.slice(0, cinder.length) });
  const world = new World({ seed });
  const node = world.addNode('scheduler');
  const ours = [...caseDecisions(parsed, { clock: node.clock, chanceRng: world.rng.stream('weigher:ChanceWeigher'), trace: 'light' })].map((x) => x.decision.selected);
  return ours.length === cinder.length && ours.every((s, i) => s === cinder[i]);
}

function positive(v: number | undefined, flag: string, dflt: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`bench schedule: ${flag} must be a positive integer, got ${String(v)}`);
  return n;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
