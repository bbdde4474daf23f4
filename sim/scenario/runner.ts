import type { Simulation } from '../engine/simulation.js';
import type { World } from '../engine/world.js';
import type { CloudFactory } from '../harness/simulated-cloud.js';
import type { CloudView } from '../harness/view.js';
import { allSteps } from './check.js';
import { cloudInput } from './cloud-input.js';
import { durationMs } from './duration.js';
import { expectationResult, stepOutcome, type ExpectView } from './expectations.js';
import type { LoadedScenario } from './loader.js';
import { OUTCOME_SCHEMA_VERSION, type ConfFindingRecord, type DecisionRecord, type DigestCheckpoint, type RequestRecord, type RunOutcome, type StepRecord } from './outcome.js';
import type { RunContext } from './run/context.js';
import { applyFault } from './run/faults.js';
import { FullRecorder, LeanRecorder, type Recorder } from './run/recorder.js';
import { negotiatedDefault } from './cinderclient/version.js';
import { requestSender } from './run/requests.js';
import { Steps } from './run/steps.js';
import { startWorkload } from './run/workloads.js';
import { RequestWatch, type WatchSpec } from './run/watch.js';
import { TRANSITIONAL } from './run/counts.js';
import type { Initiator } from './run/context.js';
import { planNodes } from './topology.js';

export interface RunOptions {
  seed: string;
  cloud: CloudFactory;
  /** The command that replays this run, printed when an expectation fails. */
  replay: string;
  /** Called now and then with virtual time, for a progress line. */
  progress?: (nowMs: number, durationMs: number) => void;
  /**
   * 'all' (default) keeps every request and decision for outcome.json;
   * 'lean' keeps counts only (and the steps' own requests), for runs of
   * millions of requests such as `cinder-sim bench scenario`.
   */
  records?: 'all' | 'lean';
}

/** What a replay up to one request found (see replayToRequest). */
export interface ReplayResult {
  /** The watched request's record(s) and the first decision about what it made, full trace (empty when never reached). */
  requests: RequestRecord[];
  decisions: DecisionRecord[];
  /** Virtual time the replay stopped at. */
  stoppedAtMs: number;
  /** Decisions made (digested) up to the stop, and the digest checkpoints passed. */
  decisionsSeen: number;
  checkpoints: DigestCheckpoint[];
  /** The steps finished by the stop (each of their requests answered), as recorded. */
  steps: StepRecord[];
}

/** A broken invariant (a bug in the simulated services or the engine): the run stops. */
export class RunAborted extends Error {
  constructor(
    message: string,
    readonly replay: string,
    readonly atMs: number,
  ) {
    super(message);
    this.name = 'RunAborted';
  }
}

/** Run one loaded scenario to its end and return its outcome. */
export function runScenario(loaded: LoadedScenario, opts: RunOptions): RunOutcome {
  return new ScenarioRun(loaded, opts).run();
}

/**
 * Replay a lean run (the same seed, lean records, fast path) up to the
 * watched request's first decision, which is made with the full trace, and
 * stop there.  The decisions are those of the run being replayed.
 */
export function replayToRequest(loaded: LoadedScenario, opts: Omit<RunOptions, 'records'>, watch: WatchSpec): ReplayResult {
  const run = new ScenarioRun(loaded, { ...opts, records: 'lean' }, { watch });
  return run.replay();
}

/** How a world driven from outside ended (`reason` as the engine's, or `settled` / `interrupted`). */
export interface DrivenEnd {
  reason: string;
  events: number;
  timeMs: number;
}

/**
 * Runs the world's events from outside (the live world's wall clock) until
 * `untilMs`, or earlier once `settled()` holds.
 */
export type Drive = (sim: Simulation, untilMs: number, settled: () => boolean) => Promise<DrivenEnd>;

export interface DrivenRunOptions extends RunOptions {
  drive: Drive;
  /** The compute host's initiator: a successful attach connects to the target and checks data (live runs). */
  initiator?: Initiator;
}

/**
 * Run a scenario whose world is driven from outside: the same setup,
 * steps, faults and expectations, with the event loop turned by `drive`.
 * The run may end before its duration, once every step has run and what
 * it started has settled, no fault or timed expectation is still ahead and
 * no workload runs.
 */
export async function runScenarioDriven(loaded: LoadedScenario, opts: DrivenRunOptions): Promise<RunOutcome> {
  const run = new ScenarioRun(loaded, opts, opts.initiator ? { initiator: opts.initiator } : {});
  run.begin();
  let end: DrivenEnd;
  try {
    end = await opts.drive(run.sim, run.durationMs, () => run.settled());
  } catch (e) {
    throw new RunAborted(`${(e as Error).message}`, opts.replay, run.sim.now);
  }
  return run.complete(end);
}

/** Schedules a scenario's setup, steps, workloads, faults, samples and expectations, runs it, and assembles the outcome. */
class ScenarioRun {
  private readonly world: World;
  private readonly cloud: CloudView;
  private readonly recorder: Recorder;
  private readonly ctx: RunContext;
  private readonly watch: RequestWatch | null;

  /** Steps (setup as one) still to finish; the latest time a step, fault or timed expectation is planned for. */
  private stepsLeft = 0;
  private lastPlannedMs = 0;

  constructor(
    private readonly loaded: LoadedScenario,
    private readonly opts: RunOptions,
    extras: { watch?: WatchSpec; initiator?: Initiator } = {},
  ) {
    const s = loaded.scenario;
    const plans = planNodes(s, loaded.cinderConfs);
    // Lean runs keep no traces: their trace-light decisions may take the fast path.
    const sc = opts.cloud(cloudInput(plans, s.topology.images), opts.seed, opts.records === 'lean' ? { fastPath: true } : {});
    this.world = sc.world;
    this.cloud = sc.view;
    // The run hears every answer through submit's callback and its recorder keeps what it needs.
    this.cloud.keepOutcomes(false);
    this.recorder = opts.records === 'lean' ? new LeanRecorder(this.world, this.cloud) : new FullRecorder(this.world, this.cloud);
    // A lean run counts log lines; it keeps their text only for a log expectation to read.
    if (opts.records === 'lean' && !s.expect.some((e) => e.log !== undefined)) this.world.log.keepText(false);
    this.watch = extras.watch ? new RequestWatch(extras.watch, this.cloud, () => this.world.sim.stop()) : null;
    this.ctx = {
      loaded,
      seed: opts.seed,
      world: this.world,
      cloud: this.cloud,
      durationMs: durationMs(s.duration),
      recorder: this.recorder,
      submit: requestSender(this.world, this.cloud, this.recorder, negotiatedDefault(s.api_version), this.watch ?? undefined),
      ...(extras.initiator ? { initiator: extras.initiator } : {}),
    };
  }

  get sim(): Simulation {
    return this.world.sim;
  }

  get durationMs(): number {
    return this.ctx.durationMs;
  }

  /** Run up to the watched request's decision (or the end); see replayToRequest. */
  replay(): ReplayResult {
    this.begin();
    const sim = this.world.sim;
    try {
      sim.run({ untilMs: this.ctx.durationMs });
    } catch (e) {
      throw new RunAborted(`${(e as Error).message}`, this.opts.replay, sim.now);
    }
    const rec = this.recorder as LeanRecorder;
    rec.flush();
    // Only steps whose every request was answered before the stop have printed all they will.
    const answered = new Set(rec.requests.filter((r) => r.answered_at_ms >= 0).map((r) => r.seq));
    const steps = rec.stepOrder.filter((st) => st.requests.every((n) => answered.has(n)));
    return { requests: this.watch!.requests, decisions: this.watch!.decisions, stoppedAtMs: sim.now, decisionsSeen: rec.decisionsDigested(), checkpoints: rec.checkpoints, steps };
  }

  run(): RunOutcome {
    this.begin();
    let end;
    try {
      end = this.world.sim.run({ untilMs: this.ctx.durationMs });
    } catch (e) {
      throw new RunAborted(`${(e as Error).message}`, this.opts.replay, this.world.sim.now);
    }
    return this.complete(end);
  }

  /** Every step has run and what the requests started has settled, and nothing is planned ahead. */
  settled(): boolean {
    const s = this.loaded.scenario;
    if (s.workloads.length > 0 || this.stepsLeft > 0 || this.world.sim.now < this.lastPlannedMs) return false;
    return this.recorder.requests.every((r) => r.resource_id === null || !TRANSITIONAL.has(this.cloud.statusOf(r.resource_id) ?? ''));
  }

  /** Schedule the setup, steps, workloads, faults, samples and timed expectations. */
  begin(): void {
    const s = this.loaded.scenario;
    const sim = this.world.sim;
    const total = this.ctx.durationMs;
    const steps = new Steps(this.ctx);
    steps.applyQuotas();
    const timed = allSteps(s).filter((x) => x.section === 'steps');
    this.stepsLeft = timed.length + 1;
    steps.runSetup(allSteps(s).filter((x) => x.section === 'setup'), () => this.stepsLeft--);
    for (const st of timed) sim.at(st.atMs ?? 0, () => steps.run(st, () => this.stepsLeft--), `step ${st.index}`);
    s.workloads.forEach((w) => startWorkload(this.ctx, w));
    s.faults.forEach((f) => sim.at(durationMs(f.at), () => applyFault(this.ctx, f), `fault ${f.fault}`));
    this.lastPlannedMs = Math.max(0, ...timed.map((st) => st.atMs ?? 0), ...s.faults.map((f) => durationMs(f.at)), ...s.expect.map((e) => (e.at === undefined ? 0 : durationMs(e.at))));
    const sampleMs = s.sample_every !== undefined ? Math.max(1, durationMs(s.sample_every)) : Math.max(1_000, Math.round(total / 1_000 / 1_000) * 1_000);
    const sample = (): void => {
      this.recorder.sample();
      this.opts.progress?.(sim.now, total);
      if (sim.now + sampleMs <= total) sim.after(sampleMs, sample, 'sample');
    };
    sim.at(0, sample, 'sample');
    const expectations = this.recorder.expectations;
    s.expect.forEach((e, i) => {
      if (e.at !== undefined) sim.at(durationMs(e.at), () => expectations.push(expectationResult(i, this.loaded.where(['expect', i]), e, this.view())), 'expect');
    });
  }

  /** The run has ended: the last sample, the expectations due at the end, the outcome. */
  complete(end: DrivenEnd): RunOutcome {
    const s = this.loaded.scenario;
    const expectations = this.recorder.expectations;
    try {
      this.recorder.sample();
    } catch (e) {
      throw new RunAborted(`${(e as Error).message}`, this.opts.replay, this.world.sim.now);
    }
    s.expect.forEach((e, i) => {
      if (e.at === undefined) expectations.push(expectationResult(i, this.loaded.where(['expect', i]), e, this.view()));
    });
    expectations.sort((a, b) => a.index - b.index);
    this.recorder.finished();
    // Each step's outcome settles as its requests' did, with the definition the expectations used.
    const view = this.view();
    for (const st of this.recorder.stepOrder) st.outcome = stepOutcome(st, view);
    return this.outcome(end);
  }

  private confFindings(): ConfFindingRecord[] {
    const out: ConfFindingRecord[] = [];
    const nodes = this.loaded.scenario.topology.nodes;
    for (const [node, conf] of this.loaded.cinderConfs) {
      const i = nodes.findIndex((n) => n.name === node);
      const spec = nodes[i]!;
      // Inline cinder.conf text: report lines of the scenario file.
      const inlineBase = typeof spec.cinder_conf === 'string' ? Number(this.loaded.where(['topology', 'nodes', i, 'cinder_conf']).split(':').pop()) : null;
      for (const f of conf.findings) {
        if (f.severity === 'info') continue;
        // A node that runs no cinder-volume needs no enabled_backends.
        if (f.rule === 'no-enabled-backends' && !spec.services.includes('cinder-volume')) continue;
        const inline = inlineBase !== null && f.file !== null;
        out.push({ node, severity: f.severity, rule: f.rule, file: inline ? this.loaded.file : f.file, line: inline && f.line !== null ? inlineBase + f.line : f.line, message: f.message });
      }
    }
    return out;
  }

  private view(): ExpectView {
    const rec = this.recorder;
    return {
      ...(this.opts.records === 'lean' ? { lean: true } : {}),
      nowMs: this.world.sim.now,
      steps: rec.steps,
      requests: rec.requests,
      decisions: rec.decisionRecords(),
      serviceStates: rec.serviceStates,
      log: this.world.log.records.map((r) => ({ t_ms: r.t, node: r.node, logger: r.logger, level: r.level, message: r.message })),
      confFindings: this.confFindings(),
      // By name (`*` globs) or by id, so `${step.id}` works too.
      volumesNamed: (name) => {
        const re = new RegExp('^' + name.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
        return this.cloud.volumes().filter((v) => v.id === name || (v.name !== null && re.test(v.name)));
      },
      statusOf: (id) => this.cloud.statusOf(id),
      launched: (id) => this.cloud.launched(id),
      hostOf: (id) => this.cloud.hostOf(id),
      volumeTypeOf: (id) => this.cloud.volumeTypeOf(id),
    };
  }

  private outcome(end: DrivenEnd): RunOutcome {
    const s = this.loaded.scenario;
    const rec = this.recorder;
    const firstFailures = rec.firstNoValidBackend();
    const logCounts: Record<string, number> = {};
    for (const [level, n] of Object.entries(this.world.log.counts)) if (n > 0) logCounts[level] = n;
    return {
      schema_version: OUTCOME_SCHEMA_VERSION,
      scenario: s.name,
      description: s.description,
      file: this.loaded.file,
      scenario_sha256: this.loaded.sha256,
      seed: this.opts.seed,
      duration_ms: this.ctx.durationMs,
      end: { reason: end.reason, events: end.events, time_ms: end.timeMs },
      steps: rec.stepOrder,
      requests: rec.requests,
      decisions: rec.decisionRecords(),
      service_states: rec.serviceStates,
      capacity: rec.capacity,
      pools: rec.poolInfos,
      type_usage: rec.typeUsage,
      type_pools: rec.typePools,
      faults: rec.faults,
      conf_findings: this.confFindings(),
      workloads: rec.workloads,
      log: this.world.log.records.filter((r) => r.level !== 'debug').map((r) => ({ t_ms: r.t, node: r.node, service: r.service, logger: r.logger, level: r.level, message: r.message })),
      log_counts: logCounts,
      expectations: rec.expectations,
      summary: rec.summary(rec.expectations.filter((e) => e.passed).length),
      replay: this.opts.replay,
      records: this.opts.records ?? 'all',
      ...(firstFailures ? { first_no_valid_backend: firstFailures } : {}),
    };
  }
}
