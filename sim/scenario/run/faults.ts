import { durationMs, formatDuration } from '../duration.js';
import { ntpMode, type FaultT } from '../schema.js';
import { planConf } from '../topology.js';
import type { RunContext } from './context.js';

/** A clock fault on a node whose NTP is running is corrected at once (step) or over time (slew): say so. */
function ntpNote(ctx: RunContext, node: string): string {
  const ntp = ctx.world.node(node).clock.ntpMode;
  if (ntp.mode === 'step') return ' (NTP step is running: the clock is held at true time, so this has no lasting effect)';
  if (ntp.mode === 'slew') return ` (NTP slews it back at ${ntp.rate_ppm} ppm)`;
  return '';
}

/** Apply one fault now and record what it did (or why it was not applied). */
export function applyFault(ctx: RunContext, f: FaultT): void {
  const { world, cloud } = ctx;
  const sim = world.sim;
  const rec = (detail: string): void => ctx.recorder.fault(f.fault, detail);
  switch (f.fault) {
    case 'clock_offset':
      world.node(f.node).clock.setOffset(f.offset_ms);
      return rec(`${f.node}: wall clock set ${formatDuration(f.offset_ms)} from true time${ntpNote(ctx, f.node)}`);
    case 'clock_step':
      world.node(f.node).clock.step(f.step_ms);
      return rec(`${f.node}: wall clock stepped by ${formatDuration(f.step_ms)}${ntpNote(ctx, f.node)}`);
    case 'clock_drift':
      world.node(f.node).clock.setDrift(f.drift_ppm);
      return rec(`${f.node}: clock drifts ${f.drift_ppm} ppm${ntpNote(ctx, f.node)}`);
    case 'ntp':
      world.node(f.node).clock.setNtp(ntpMode(f.ntp));
      return rec(`${f.node}: NTP ${typeof f.ntp === 'string' ? f.ntp : `slew ${f.ntp.rate_ppm} ppm`}`);
    case 'service': {
      const err = cloud.serviceAction(f.host, f.binary, f.action);
      return rec(err ?? `${f.binary} on ${f.host}: ${f.action}`);
    }
    case 'partition': {
      const heal = f.duration !== undefined ? sim.now + durationMs(f.duration) : Infinity;
      world.bus.partition(f.a, f.b, sim.now, heal);
      return rec(`[${f.a.join(',')}] | [${f.b.join(',')}]${heal === Infinity ? '' : ` until ${formatDuration(heal)}`}`);
    }
    case 'latency':
      world.bus.setLink(f.from, f.to, { latency: f.latency });
      return rec(`${f.from} -> ${f.to}: ${JSON.stringify(f.latency)}`);
    case 'backend_capacity': {
      const err = cloud.setCapacity(f.backend, f.pool, f.total_capacity_gb);
      return rec(err ?? `${f.backend}${f.pool ? '#' + f.pool : ''}: total ${f.total_capacity_gb} GB`);
    }
    case 'add_service': {
      const r = cloud.startLater(f.node, f.binary);
      return rec(typeof r === 'string' ? r : `${f.binary} deployed on ${f.node} and started: ${r.join(', ') || '(nothing: no backend enabled)'}`);
    }
    case 'conf_change': {
      const n = ctx.loaded.scenario.topology.nodes.find((x) => x.name === f.node)!;
      const conf = ctx.loaded.faultConfs.get(ctx.loaded.scenario.faults.indexOf(f)) ?? null;
      const r = cloud.changeConf(f.node, planConf(n, conf));
      return rec(typeof r === 'string' ? r : `${f.node}: cinder.conf replaced; ${r.join(', ') || 'no service runs there'}`);
    }
    case 'backend_failure': {
      const err = cloud.setBackendFailed(f.backend, f.state === 'failed');
      return rec(err ?? `${f.backend}: storage ${f.state}`);
    }
  }
}
