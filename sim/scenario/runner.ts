import { createHash } from 'node:crypto';
import type { ApiResult, CinderRequest, RequestContext } from '../cinder/api/requests.js';
import { World } from '../engine/world.js';
import type { Rng } from '../ports/rng.js';
import { ADMIN_PROJECT, allSteps, type NormalStep } from './check.js';
import { expandReferences, parseCommandLine } from './cli/parse.js';
import { clientPrinter, connectionInfoTable, printResult, resultFields } from './cli/print.js';
import { planRequests } from './cli/to-request.js';
import { durationMs, formatDuration } from './duration.js';
import { expectationResult, succeeded, type ExpectView } from './expectations.js';
import type { LoadedScenario } from './loader.js';
import {
  OUTCOME_SCHEMA_VERSION,
  type CapacitySample,
  type ConfFindingRecord,
  type DecisionRecord,
  type ExpectationResult,
  type FaultRecord,
  type RequestRecord,
  type RunOutcome,
  type ServiceStateRecord,
  type StepRecord,
  type WorkloadSummary,
} from './outcome.js';
import type { FaultT, WorkloadT } from './schema.js';
import type { CloudFactory, SimCloud } from './sim-cloud.js';
import { ntpMode, planNodes } from './topology.js';
import { arrivals, drawLifetimeMs, drawOp, drawSizeGb } from './workload.js';

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

/** Statuses a resource passes through on its way somewhere; setup waits for them to settle. */
const TRANSITIONAL = new Set(['creating', 'deleting', 'extending', 'backing-up', 'restoring-backup', 'restoring', 'attaching', 'detaching', 'retyping', 'downloading', 'uploading', 'reserved']);
const SETTLE_POLL_MS = 1_000;
const SETTLE_LIMIT_MS = 600_000;
const SETUP_WAIT_LIMIT_MS = 120_000;
/** Lean runs drain the scheduler's decision log every this many arrivals. */
const LEAN_DRAIN_EVERY = 64;
/** Verbs whose answer names a new resource whose status we follow. */
const CREATING_VERBS = new Set(['create', 'snapshot-create', 'backup-create', 'backup-restore', 'transfer-create']);

function contextOf(project: string): RequestContext {
  return project === ADMIN_PROJECT ? { project_id: ADMIN_PROJECT, is_admin: true } : { project_id: project, user_id: `${project}-user` };
}

/** What novaclient prints: `volume-attach` shows the attachment, `volume-detach` nothing. */
function novaPrint(command: string, args: Record<string, unknown>, result: unknown): string {
  if (command !== 'volume-attach') return '';
  const ci = result !== null && typeof result === 'object' ? (result as { connection_info?: { data?: { volume_id?: unknown } } }).connection_info : undefined;
  const volumeId = typeof ci?.data?.volume_id === 'string' ? ci.data.volume_id : undefined;
  const attachment = printResult('volume-attach', { device: typeof args['device'] === 'string' ? args['device'] : '/dev/vdb', id: volumeId ?? args['volume'], serverId: args['server'], volumeId: volumeId ?? args['volume'] });
  return ci ? `${attachment}\n${connectionInfoTable(ci)}` : attachment;
}

/** The --name / --status / --volume-id filters of `cinder list` and `cinder snapshot-list`. */
function filterList(items: unknown[], args: Record<string, unknown>): unknown[] {
  const want: [string, unknown][] = [['name', args['name']], ['status', args['status']], ['volume_id', args['volume_id']]];
  return items.filter((i) => i !== null && typeof i === 'object' && want.every(([k, v]) => v === undefined || (i as Record<string, unknown>)[k] === v));
}

function resourceIdOf(verb: string, result: unknown): string | null {
  if (!CREATING_VERBS.has(verb) || result === null || typeof result !== 'object') return null;
  const o = result as Record<string, unknown>;
  const id = verb === 'backup-restore' ? o['volume_id'] : verb === 'transfer-create' ? o['volume_id'] : o['id'];
  return typeof id === 'string' ? id : null;
}

/** Run one loaded scenario to its end and return its outcome. */
export function runScenario(loaded: LoadedScenario, opts: RunOptions): RunOutcome {
  return new ScenarioRun(loaded, opts).run();
}

class ScenarioRun {
  private readonly world: World;
  private readonly cloud: SimCloud;
  private readonly durationMs: number;
  private readonly steps = new Map<string, StepRecord>();
  private readonly stepOrder: StepRecord[] = [];
  private readonly fields = new Map<string, StepRecord['fields']>();
  private readonly requests: RequestRecord[] = [];
  private readonly serviceStates: ServiceStateRecord[] = [];
  private readonly capacity: CapacitySample[] = [];
  private readonly faults: FaultRecord[] = [];
  private readonly expectations: ExpectationResult[] = [];
  private readonly workloads: WorkloadSummary[] = [];
  private readonly lastService = new Map<string, ServiceStateRecord>();
  private readonly lastPool = new Map<string, CapacitySample>();
  private seq = 0;
  private readonly lean: boolean;
  private readonly digest = createHash('sha256');
  /** Lean runs: the volumes their accepted creates made, to count the ones that became usable. */
  private readonly leanCreated: string[] = [];
  private readonly counts = { requests: 0, ok: 0, creates: 0, decisions: 0 };

  constructor(
    private readonly loaded: LoadedScenario,
    private readonly opts: RunOptions,
  ) {
    const s = loaded.scenario;
    this.durationMs = durationMs(s.duration);
    this.lean = opts.records === 'lean';
    this.world = new World({ seed: opts.seed });
    const plans = planNodes(s, loaded.rawBackend, loaded.cinderConfs);
    this.cloud = opts.cloud(this.world, plans, s.topology.images);
  }

  run(): RunOutcome {
    const s = this.loaded.scenario;
    const sim = this.world.sim;
    this.cloud.start();
    this.applyQuotas();
    this.runSetup(allSteps(s).filter((x) => x.section === 'setup'));
    for (const st of allSteps(s).filter((x) => x.section === 'steps')) sim.at(st.atMs ?? 0, () => this.runStep(st, () => {}), `step ${st.index}`);
    s.workloads.forEach((w) => this.startWorkload(w));
    s.faults.forEach((f) => sim.at(durationMs(f.at), () => this.applyFault(f), `fault ${f.fault}`));
    const sampleMs = s.sample_every !== undefined ? Math.max(1, durationMs(s.sample_every)) : Math.max(1_000, Math.round(this.durationMs / 1_000 / 1_000) * 1_000);
    const sample = (): void => {
      this.sample();
      this.opts.progress?.(sim.now, this.durationMs);
      if (sim.now + sampleMs <= this.durationMs) sim.after(sampleMs, sample, 'sample');
    };
    sim.at(0, sample, 'sample');
    s.expect.forEach((e, i) => {
      if (e.at !== undefined) sim.at(durationMs(e.at), () => this.expectations.push(expectationResult(i, this.loaded.where(['expect', i]), e, this.view())), 'expect');
    });
    let end;
    try {
      end = sim.run({ untilMs: this.durationMs });
    } catch (e) {
      throw new RunAborted(`${(e as Error).message}`, this.opts.replay, sim.now);
    }
    try {
      this.sample();
    } catch (e) {
      throw new RunAborted(`${(e as Error).message}`, this.opts.replay, sim.now);
    }
    s.expect.forEach((e, i) => {
      if (e.at === undefined) this.expectations.push(expectationResult(i, this.loaded.where(['expect', i]), e, this.view()));
    });
    this.expectations.sort((a, b) => a.index - b.index);
    if (this.lean) this.drainDecisions();
    for (const r of this.requests) if (r.resource_id !== null) r.final_status = this.cloud.statusOf(r.resource_id) ?? 'deleted';
    return this.outcome(end);
  }

  // ------------------------------------------------------------ requests

  private submit(source: string, project: string, req: CinderRequest, done: (r: ApiResult, rec: RequestRecord) => void): void {
    const rec: RequestRecord = {
      seq: ++this.seq,
      at_ms: this.world.sim.now,
      answered_at_ms: -1,
      project,
      source,
      verb: req.verb,
      request: { ...req } as Record<string, unknown>,
      ok: false,
      http: null,
      error: null,
      message: null,
      resource_id: null,
      final_status: null,
      host: null,
    };
    if (!this.lean || source.startsWith('step:')) this.requests.push(rec);
    this.counts.requests++;
    if (req.verb === 'create') this.counts.creates++;
    this.cloud.submit(contextOf(project), req, (r) => {
      rec.answered_at_ms = this.world.sim.now;
      rec.ok = r.ok;
      if (r.ok) this.counts.ok++;
      if (r.ok) {
        rec.resource_id = resourceIdOf(req.verb, r.result) ?? this.targetVolume(req, project);
        if (this.lean && req.verb === 'create' && rec.resource_id !== null) this.leanCreated.push(rec.resource_id);
      } else {
        rec.http = r.http;
        rec.error = r.error;
        rec.message = r.message;
      }
      done(r, rec);
    });
  }

  /** The volume an extend or retype acted on, resolved as the API did (id, else the caller's name). */
  private targetVolume(req: CinderRequest, project: string): string | null {
    if (req.verb !== 'extend' && req.verb !== 'retype') return null;
    const vols = this.cloud.volumes();
    const byId = vols.find((v) => v.id === req.volume);
    if (byId) return byId.id;
    const named = vols.filter((v) => v.name === req.volume && (project === ADMIN_PROJECT || v.project_id === project));
    return named.length === 1 ? named[0]!.id : null;
  }

  private applyQuotas(): void {
    for (const [project, spec] of Object.entries(this.loaded.scenario.topology.projects)) {
      if (Object.keys(spec.quotas).length === 0) continue;
      this.submit('topology', ADMIN_PROJECT, { verb: 'quota-update', project_id: project, ...spec.quotas }, () => {});
    }
  }

  // ------------------------------------------------------------ steps

  private stepId(st: NormalStep): string {
    return st.id ?? `${st.section}[${st.index}]`;
  }

  private runStep(st: NormalStep, done: (rec: StepRecord) => void): void {
    const rec: StepRecord = {
      id: this.stepId(st),
      where: this.loaded.where(typeof (st.section === 'setup' ? this.loaded.scenario.setup : this.loaded.scenario.steps)[st.index] === 'string' ? [st.section, st.index] : [st.section, st.index, 'cmd']),
      at_ms: this.world.sim.now,
      project: st.as,
      cmd: st.cmd,
      expanded: st.cmd,
      outcome: 'ok',
      message: null,
      requests: [],
      fields: {},
      output: '',
    };
    this.steps.set(rec.id, rec);
    this.stepOrder.push(rec);
    const fail = (outcome: 'usage' | 'error', message: string, output: string) => {
      rec.outcome = outcome;
      rec.message ??= message;
      rec.output += output + '\n';
    };
    const expanded = expandReferences(st.cmd, (step, field) => {
      const v = this.fields.get(step)?.[field];
      return v === undefined || v === null ? undefined : String(v);
    });
    if (!expanded.ok) {
      fail('usage', expanded.error, `ERROR: ${expanded.error}`);
      return done(rec);
    }
    rec.expanded = expanded.line;
    const parsed = parseCommandLine(expanded.line);
    if (!parsed.ok) {
      fail('usage', parsed.error, parsed.error);
      return done(rec);
    }
    const plan = planRequests(parsed.cmd);
    if (!plan.ok) {
      fail('error', plan.error, plan.error);
      return done(rec);
    }
    const queue = [...plan.requests];
    const printer = clientPrinter(parsed.cmd, this.opts.seed);
    const next = (): void => {
      const req = queue.shift();
      if (!req) {
        const tail = printer.end();
        if (tail) rec.output += tail + '\n';
        if (st.id !== undefined) this.fields.set(st.id, rec.fields);
        return done(rec);
      }
      this.submit(`step:${rec.id}`, st.as, req, (r, reqRec) => {
        rec.requests.push(reqRec.seq);
        if (r.ok) {
          // `cinder list --name/--status` filter on the server; the simulated API lists all, so filter here.
          if (r.result && Array.isArray(r.result) && (parsed.cmd.command === 'list' || parsed.cmd.command === 'snapshot-list')) r = { ok: true, result: filterList(r.result as unknown[], parsed.cmd.args) };
          if (Object.keys(rec.fields).length === 0) rec.fields = resultFields(r.result);
          const text = parsed.cmd.program === 'nova' ? novaPrint(parsed.cmd.command, parsed.cmd.args, r.result) : printer.answer(req, r, reqRec.seq);
          if (text) rec.output += text + '\n';
        } else {
          fail('error', r.message, printer.answer(req, r, reqRec.seq));
        }
        next();
      });
    };
    next();
  }

  /** Setup runs in order from t = 0; each step waits until what it started has settled, as an operator would. */
  private runSetup(steps: NormalStep[]): void {
    const sim = this.world.sim;
    const next = (i: number): void => {
      const st = steps[i];
      if (!st) return;
      this.runStep(st, (rec) => {
        const ids = this.requests.filter((r) => rec.requests.includes(r.seq) && r.resource_id !== null).map((r) => r.resource_id!);
        const started = sim.now;
        const settle = (): void => {
          const busy = ids.some((id) => TRANSITIONAL.has(this.cloud.statusOf(id) ?? ''));
          if (busy && sim.now - started < SETTLE_LIMIT_MS) sim.after(SETTLE_POLL_MS, settle, 'setup settle');
          else next(i + 1);
        };
        if (ids.length) sim.after(SETTLE_POLL_MS, settle, 'setup settle');
        else next(i + 1);
      });
    };
    // Cinder's scheduler holds requests until every backend has reported
    // (_wait_for_scheduler); the operator's setup starts once the volume
    // services are up and have had a moment to report, from t = 1 s.
    const begin = (): void => {
      const waiting = this.cloud.services().some((x) => x.binary === 'cinder-volume' && x.status === 'enabled' && x.schedulerState === 'down');
      if (waiting && sim.now < SETUP_WAIT_LIMIT_MS) sim.after(SETTLE_POLL_MS, begin, 'setup wait');
      else next(0);
    };
    sim.at(SETTLE_POLL_MS, begin, 'setup');
  }

  // ------------------------------------------------------------ workloads

  private startWorkload(w: WorkloadT): void {
    const sim = this.world.sim;
    const rng: Rng = this.world.rng.stream(`workload:${w.name}`);
    const start = durationMs(w.start);
    const stop = Math.min(this.durationMs, w.stop !== undefined ? durationMs(w.stop) : this.durationMs);
    const arr = arrivals(w, rng, start, stop);
    const summary: WorkloadSummary = { name: w.name, requests: 0, ok: 0, errors: 0 };
    this.workloads.push(summary);
    // Live volumes of this workload: an array for uniform picks, an index for O(1) removal.
    const live: { id: string; project: string }[] = [];
    const at = new Map<string, number>();
    const add = (v: { id: string; project: string }) => {
      at.set(v.id, live.length);
      live.push(v);
    };
    const remove = (id: string) => {
      const i = at.get(id);
      if (i === undefined) return;
      const last = live.pop()!;
      at.delete(id);
      if (last.id !== id) {
        live[i] = last;
        at.set(last.id, i);
      }
    };
    let n = 0;
    const count = (r: ApiResult) => {
      summary.requests++;
      if (r.ok) summary.ok++;
      else summary.errors++;
    };
    const source = `workload:${w.name}`;
    const pickLive = (): { id: string; project: string } | undefined => {
      for (let tries = 0; tries < 3 && live.length; tries++) {
        const v = live[rng.int(0, live.length - 1)]!;
        const st = this.cloud.statusOf(v.id);
        if (st === undefined || st === 'error' || st === 'deleting' || st === 'deleted') remove(v.id);
        else return v;
      }
      return undefined;
    };
    let arrived = 0;
    const arrive = (): void => {
      if (this.lean && ++arrived % LEAN_DRAIN_EVERY === 0) this.drainDecisions();
      const op = drawOp(w, rng);
      if (op === 'create' || live.length === 0) {
        const project = w.projects[rng.int(0, w.projects.length - 1)]!;
        const size = drawSizeGb(w, rng);
        const type = w.volume_types ? w.volume_types[rng.int(0, w.volume_types.length - 1)] : undefined;
        const lifetime = drawLifetimeMs(w, rng);
        const req: CinderRequest = { verb: 'create', size, name: `${w.name}-${++n}`, ...(type ? { volume_type: type } : {}), ...(w.availability_zone ? { availability_zone: w.availability_zone } : {}) };
        this.submit(source, project, req, (r, rec) => {
          count(r);
          const id = rec.resource_id;
          if (!id) return;
          add({ id, project });
          if (lifetime !== null && sim.now + lifetime <= this.durationMs) {
            sim.after(lifetime, () => {
              remove(id);
              this.submit(source, project, { verb: 'delete', volume: id }, count);
            }, 'workload delete');
          }
        });
      } else {
        const v = pickLive();
        if (v) {
          const req: CinderRequest | null =
            op === 'delete' ? { verb: 'delete', volume: v.id }
            : op === 'snapshot' ? { verb: 'snapshot-create', volume: v.id, force: true }
            : op === 'extend' ? { verb: 'extend', volume: v.id, new_size: this.sizeOf(v.id) + 1 }
            : op === 'backup' ? { verb: 'backup-create', volume: v.id, force: true }
            : { verb: 'attach', volume: v.id, host: 'compute', instance_uuid: `${w.name}-server` };
          if (op === 'delete') remove(v.id);
          this.submit(source, v.project, req, count);
        }
      }
      const t = arr.next(sim.now);
      if (t !== null) sim.at(t, arrive, 'workload');
    };
    const first = arr.next(start - 1);
    if (first !== null) sim.at(first, arrive, 'workload');
  }

  private sizeOf(id: string): number {
    return this.cloud.volumes().find((v) => v.id === id)?.size ?? 1;
  }

  // ------------------------------------------------------------ faults

  private applyFault(f: FaultT): void {
    const sim = this.world.sim;
    const rec = (detail: string): void => {
      this.faults.push({ t_ms: sim.now, fault: f.fault, detail });
    };
    switch (f.fault) {
      case 'clock_offset':
        this.world.node(f.node).clock.setOffset(f.offset_ms);
        return rec(`${f.node}: wall clock set ${f.offset_ms} ms from true time${this.ntpNote(f.node)}`);
      case 'clock_step':
        this.world.node(f.node).clock.step(f.step_ms);
        return rec(`${f.node}: wall clock stepped by ${f.step_ms} ms${this.ntpNote(f.node)}`);
      case 'clock_drift':
        this.world.node(f.node).clock.setDrift(f.drift_ppm);
        return rec(`${f.node}: clock drifts ${f.drift_ppm} ppm${this.ntpNote(f.node)}`);
      case 'ntp':
        this.world.node(f.node).clock.setNtp(ntpMode(f.ntp));
        return rec(`${f.node}: NTP ${typeof f.ntp === 'string' ? f.ntp : `slew ${f.ntp.rate_ppm} ppm`}`);
      case 'service': {
        const err = this.cloud.serviceAction(f.host, f.binary, f.action);
        return rec(err ?? `${f.binary} on ${f.host}: ${f.action}`);
      }
      case 'partition': {
        const heal = f.duration !== undefined ? sim.now + durationMs(f.duration) : Infinity;
        this.world.bus.partition(f.a, f.b, sim.now, heal);
        return rec(`[${f.a.join(',')}] | [${f.b.join(',')}]${heal === Infinity ? '' : ` until ${formatDuration(heal)}`}`);
      }
      case 'latency':
        this.world.bus.setLink(f.from, f.to, { latency: f.latency });
        return rec(`${f.from} -> ${f.to}: ${JSON.stringify(f.latency)}`);
      case 'backend_capacity': {
        const err = this.cloud.setCapacity(f.backend, f.pool, f.total_capacity_gb);
        return rec(err ?? `${f.backend}${f.pool ? '#' + f.pool : ''}: total ${f.total_capacity_gb} GB`);
      }
      case 'backend_failure': {
        const err = this.cloud.setBackendFailed(f.backend, f.state === 'failed');
        return rec(err ?? `${f.backend}: storage ${f.state}`);
      }
    }
  }

  /** A clock fault on a node whose NTP is running is corrected at once (step) or over time (slew): say so. */
  private ntpNote(node: string): string {
    const ntp = this.world.node(node).clock.ntpMode;
    if (ntp.mode === 'step') return ' (NTP step is running: the clock is held at true time, so this has no lasting effect)';
    if (ntp.mode === 'slew') return ` (NTP slews it back at ${ntp.rate_ppm} ppm)`;
    return '';
  }

  // ------------------------------------------------------------ observation

  private sample(): void {
    const t = this.world.sim.now;
    const broken = this.cloud.invariant();
    if (broken !== null) throw new Error(`invariant broken: ${broken}`);
    for (const s of this.cloud.services()) {
      const key = `${s.binary} ${s.host}`;
      const prev = this.lastService.get(key);
      const offset = Math.round(this.world.node(s.node).clock.offsetAt(t));
      if (prev && prev.state === s.state && prev.scheduler_state === s.schedulerState && prev.status === s.status) continue;
      const rec: ServiceStateRecord = { t_ms: t, host: s.host, binary: s.binary, state: s.state, scheduler_state: s.schedulerState, status: s.status, clock_offset_ms: offset };
      this.serviceStates.push(rec);
      this.lastService.set(key, rec);
    }
    if (this.lean) this.drainDecisions();
    for (const p of this.cloud.pools()) {
      const prev = this.lastPool.get(p.pool);
      if (prev && prev.total_capacity_gb === p.total_capacity_gb && prev.free_capacity_gb === p.free_capacity_gb && prev.allocated_capacity_gb === p.allocated_capacity_gb && prev.provisioned_capacity_gb === p.provisioned_capacity_gb) continue;
      const rec: CapacitySample = { t_ms: t, ...p };
      this.capacity.push(rec);
      this.lastPool.set(p.pool, rec);
    }
  }

  /** Lean runs: count the scheduler's decisions and let it forget them (a trace per pool per decision adds up). */
  private drainDecisions(): void {
    const decisions = this.cloud.decisions();
    for (const d of decisions) this.digest.update(`${d.atMs}|${d.operation}|${d.resource}|${d.ok ? 1 : 0}|${d.chosen ?? ''}|${d.message ?? ''}\n`);
    this.counts.decisions += decisions.length;
    this.cloud.dropDecisions();
  }

  private decisionRecords(): DecisionRecord[] {
    return this.cloud.decisions().map((d) => ({
      at_ms: d.atMs,
      resource_id: d.resource,
      operation: d.operation,
      ok: d.ok,
      chosen: d.chosen,
      emptied_by: d.emptiedBy,
      message: d.message,
      trace_text: d.traceText,
      trace: d.trace,
    }));
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
    return {
      nowMs: this.world.sim.now,
      steps: this.steps,
      requests: this.requests,
      decisions: this.decisionRecords(),
      serviceStates: this.serviceStates,
      log: this.world.log.records.map((r) => ({ t_ms: r.t, node: r.node, level: r.level, message: r.message })),
      confFindings: this.confFindings(),
      volumesNamed: (name) => {
        const re = new RegExp('^' + name.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
        return this.cloud.volumes().filter((v) => v.name !== null && re.test(v.name));
      },
      statusOf: (id) => this.cloud.statusOf(id),
      launched: (id) => this.cloud.launched(id),
      hostOf: (id) => this.cloud.hostOf(id),
    };
  }

  private outcome(end: { reason: string; events: number; timeMs: number }): RunOutcome {
    const s = this.loaded.scenario;
    const creates = this.requests.filter((r) => r.verb === 'create');
    const logCounts: Record<string, number> = {};
    for (const r of this.world.log.records) logCounts[r.level] = (logCounts[r.level] ?? 0) + 1;
    const passed = this.expectations.filter((e) => e.passed).length;
    return {
      schema_version: OUTCOME_SCHEMA_VERSION,
      scenario: s.name,
      description: s.description,
      file: this.loaded.file,
      seed: this.opts.seed,
      duration_ms: this.durationMs,
      end: { reason: end.reason, events: end.events, time_ms: end.timeMs },
      steps: this.stepOrder,
      requests: this.requests,
      decisions: this.decisionRecords(),
      service_states: this.serviceStates,
      capacity: this.capacity,
      faults: this.faults,
      conf_findings: this.confFindings(),
      workloads: this.workloads,
      log: this.world.log.records.filter((r) => r.level === 'warning' || r.level === 'error').map((r) => ({ t_ms: r.t, node: r.node, service: r.service, level: r.level, message: r.message })),
      log_counts: logCounts,
      expectations: this.expectations,
      summary: this.lean
        ? {
            requests: this.counts.requests,
            requests_ok: this.counts.ok,
            requests_failed: this.counts.requests - this.counts.ok,
            creates: this.counts.creates,
            creates_succeeded: this.leanCreated.filter((id) => this.cloud.launched(id)).length,
            decisions: this.counts.decisions,
            decisions_digest: this.digest.copy().digest('hex'),
            expectations_passed: passed,
            expectations_failed: this.expectations.length - passed,
          }
        : {
            requests: this.requests.length,
            requests_ok: this.requests.filter((r) => r.ok).length,
            requests_failed: this.requests.filter((r) => !r.ok).length,
            creates: creates.length,
            creates_succeeded: creates.filter((r) => succeeded(r, this.cloud)).length,
            decisions: this.cloud.decisions().length,
            expectations_passed: passed,
            expectations_failed: this.expectations.length - passed,
          },
      replay: this.opts.replay,
    };
  }
}
