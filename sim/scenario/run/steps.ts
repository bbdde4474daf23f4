import { ADMIN_PROJECT, type NormalStep } from '../check.js';
import { expandReferences, parseCommandLine } from '../cinderclient/parse.js';
import { clientPrinter, connectionInfoTable, printResult, resultFields } from '../cinderclient/print.js';
import { planRequests } from '../cinderclient/to-request.js';
import { ARGPARSE_EXIT_STATUS, argparseStderr } from '../cinderclient/usage.js';
import type { StepRecord } from '../outcome.js';
import type { RunContext } from './context.js';
import { TRANSITIONAL } from './counts.js';
const SETTLE_POLL_MS = 1_000;
const SETTLE_LIMIT_MS = 600_000;
const SETUP_WAIT_LIMIT_MS = 120_000;

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

/** The scenario's steps: cinder / nova command lines run as an operator would type them. */
export class Steps {
  /** Fields of each named step's result, for `{step.field}` references. */
  private readonly fields = new Map<string, StepRecord['fields']>();

  constructor(private readonly ctx: RunContext) {}

  /** The topology's project quotas, set by the admin before anything else. */
  applyQuotas(): void {
    for (const [project, spec] of Object.entries(this.ctx.loaded.scenario.topology.projects)) {
      if (Object.keys(spec.quotas).length === 0) continue;
      this.ctx.submit('topology', ADMIN_PROJECT, { verb: 'quota-update', project_id: project, ...spec.quotas }, () => {});
    }
  }

  private stepId(st: NormalStep): string {
    return st.id ?? `${st.section}[${st.index}]`;
  }

  run(st: NormalStep, done: (rec: StepRecord) => void): void {
    const { loaded, world, recorder } = this.ctx;
    const rec: StepRecord = {
      id: this.stepId(st),
      where: loaded.where(typeof (st.section === 'setup' ? loaded.scenario.setup : loaded.scenario.steps)[st.index] === 'string' ? [st.section, st.index] : [st.section, st.index, 'cmd']),
      at_ms: world.sim.now,
      project: st.as,
      via: st.via ?? null,
      cmd: st.cmd,
      expanded: st.cmd,
      // Provisional: a refusal sets it now; the run's end settles it from what the requests started.
      outcome: 'succeeded',
      exit_status: 0,
      message: null,
      requests: [],
      fields: {},
      output: '',
    };
    recorder.step(rec);
    // cinderclient exits 1 after "ERROR: ..." (a refusal, or its own check before any request); argparse exits 2.
    const fail = (outcome: 'usage' | 'refused', message: string, output: string, exitStatus = 1) => {
      rec.outcome = outcome;
      rec.exit_status = Math.max(rec.exit_status, exitStatus);
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
    const parsed = parseCommandLine(expanded.line, st.apiVersion);
    if (!parsed.ok) {
      const a = parsed.argparse;
      if (a) fail('usage', `error: ${a.message.split(' (choose from')[0]!}`, argparseStderr(a.usage, a.prog, a.message), ARGPARSE_EXIT_STATUS);
      else fail('usage', parsed.error, parsed.error, ARGPARSE_EXIT_STATUS);
      return done(rec);
    }
    if (parsed.cmd.program === 'cinder-manage') {
      // Straight to the database, as cinder-manage does: no API request.
      const binary = String(parsed.cmd.args['binary']);
      const host = String(parsed.cmd.args['host_name']);
      const r = this.ctx.cloud.removeService(binary, host);
      rec.output += r.output + '\n';
      if (r.exitStatus !== 0) {
        rec.outcome = 'refused';
        rec.exit_status = r.exitStatus;
        rec.message = r.output.split('\n').pop() ?? r.output;
      }
      return done(rec);
    }
    const plan = planRequests(parsed.cmd);
    if (!plan.ok) {
      fail('usage', plan.error, plan.error);
      return done(rec);
    }
    // cinderclient's logger warnings (a downgraded version) come before anything else.
    for (const w of parsed.cmd.warnings) rec.output += w + '\n';
    const queue = [...plan.requests];
    const printer = clientPrinter(parsed.cmd, this.ctx.seed);
    const next = (): void => {
      const req = queue.shift();
      if (!req) {
        const tail = printer.end();
        if (tail) rec.output += tail + '\n';
        if (st.id !== undefined) this.fields.set(st.id, rec.fields);
        return done(rec);
      }
      this.ctx.submit(`step:${rec.id}`, st.as, req, (r, reqRec) => {
        rec.requests.push(reqRec.seq);
        if (r.ok) {
          // `cinder list --name/--status` filter on the server; the simulated API lists all, so filter here.
          if (r.result && Array.isArray(r.result) && (parsed.cmd.command === 'list' || parsed.cmd.command === 'snapshot-list')) r = { ok: true, result: filterList(r.result as unknown[], parsed.cmd.args) };
          if (Object.keys(rec.fields).length === 0) rec.fields = resultFields(r.result);
          const text = parsed.cmd.program === 'nova' ? novaPrint(parsed.cmd.command, parsed.cmd.args, r.result) : printer.answer(req, r, reqRec.seq);
          if (text) rec.output += text + '\n';
          const initiator = this.ctx.initiator;
          if (initiator && parsed.cmd.program === 'nova' && parsed.cmd.command === 'volume-attach') {
            // The compute host connects as os-brick would, and says what it found.
            return initiator((r.result as { connection_info?: unknown } | null)?.connection_info, (lines) => {
              if (lines.length) rec.output += lines.join('\n') + '\n';
              next();
            });
          }
        } else {
          fail('refused', r.message, printer.answer(req, r, reqRec.seq));
        }
        next();
      }, parsed.cmd.apiVersion, st.via);
    };
    next();
  }

  /** Setup runs in order from t = 0; each step waits until what it started has settled, as an operator would; then `done`. */
  runSetup(steps: NormalStep[], done: () => void = () => {}): void {
    const { world, cloud, recorder } = this.ctx;
    const sim = world.sim;
    const next = (i: number): void => {
      const st = steps[i];
      if (!st) return done();
      this.run(st, (rec) => {
        const ids = recorder.requests.filter((r) => rec.requests.includes(r.seq) && r.resource_id !== null).map((r) => r.resource_id!);
        const started = sim.now;
        const settle = (): void => {
          const busy = ids.some((id) => TRANSITIONAL.has(cloud.statusOf(id) ?? ''));
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
      const waiting = cloud.services().some((x) => x.binary === 'cinder-volume' && x.status === 'enabled' && x.schedulerState === 'down');
      if (waiting && sim.now < SETUP_WAIT_LIMIT_MS) sim.after(SETTLE_POLL_MS, begin, 'setup wait');
      else next(0);
    };
    sim.at(SETTLE_POLL_MS, begin, 'setup');
  }
}
