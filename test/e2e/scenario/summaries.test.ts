import { describe, expect, it } from 'vitest';
import { textReport } from '../../../reports/text.js';
import { transcript } from '../../../reports/transcript.js';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/**
 * The complaint, end to end: a create fails because the only
 * cinder-volume is down, its node's clock stepped 5 minutes behind.  The
 * summary names the service, its heartbeat age by the scheduler's clock
 * against service_down_time, both clocks and since when, not "every service
 * down, disabled, frozen or never reported".
 */
const text = `version: 1
name: lone-skew
description: the only cinder-volume's clock steps 5 minutes behind; a create finds no pool
duration: 15m
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      clock: {ntp: 'off'}
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
      backends: {lvm: {vg_size_gb: 100}}
steps:
  - {at: 10m, id: nowhere, cmd: cinder create 1 --name nowhere}
faults:
  - {at: 2m, fault: clock_step, node: node1, step_ms: -300000}
expect:
  - {step: nowhere, outcome: failed, no_candidates: true}
  - {service: node1@lvm, state: down, view: scheduler, from: 3m, until: 15m}
`;

describe('a summary that names the down service', () => {
  const loaded = loadScenarioText(text, 'lone-skew.yaml', '.');
  const outcome = runScenario(loaded, { seed: '7', cloud: defaultCloudFactory, replay: 'cinder-sim run lone-skew.yaml --seed 7' });
  const down = outcome.service_states.find((s) => s.host === 'node1@lvm' && s.scheduler_state === 'down')!;

  it('the run did what the scenario says', () => {
    expect(outcome.expectations.map((e) => [e.text, e.passed, e.detail])).toEqual([
      [expect.any(String), true, expect.any(String)],
      [expect.any(String), true, expect.any(String)],
    ]);
  });

  it('records what the scheduler judged by: heartbeat age past service_down_time, the clocks and the judge', () => {
    expect(down).toMatchObject({ node: 'node1', scheduler_node: 'controller', scheduler_clock_offset_ms: 0, scheduler_service_down_time_ms: 60_000, api_service_down_time_ms: 60_000 });
    expect(down.clock_offset_ms).toBe(-300_000);
    expect(down.scheduler_heartbeat_age_ms).toBeGreaterThan(60_000);
    // The two judges share the controller's clock: they see the same age.
    expect(down.api_heartbeat_age_ms).toBe(down.scheduler_heartbeat_age_ms);
  });

  it('the text summary names it beside the failed create', () => {
    const report = textReport.render({ seed: '7', outcomes: [outcome] });
    const age = `heartbeat age ${fmt(down.scheduler_heartbeat_age_ms!)} > service_down_time 1m00s`;
    expect(report).toContain(
      'first "No valid backend" at 10m00.001s: request #1 (step:nowhere: create size=1 name=nowhere): no pool to filter; the scheduler left out every cinder-volume service that was down or disabled:\n' +
        `       node1@lvm cinder-volume down since ${fmt(down.t_ms)}: ${age} by controller's clock (cinder-scheduler, offset 0s); node1's clock offset -5m00s\n`,
    );
    expect(report).toContain(`service node1@lvm cinder-volume down (scheduler and service-list) ${fmt(down.t_ms)}..the end (${fmt(outcome.end.time_ms - down.t_ms)}, still down): ${age}`);
    expect(report).not.toContain('every service down, disabled, frozen or never reported');
  });

  it('the transcript gives each failed decision the same reason', () => {
    expect(transcript(outcome)).toContain(' -> NONE (no candidate pool; down or disabled: node1@lvm): No valid backend was found.');
  });
});

/** The expected time text, computed the way a reader would write it for these short spans (minutes and seconds). */
function fmt(ms: number): string {
  const s = Math.floor(ms / 1000);
  const frac = ms % 1000 ? `.${String(ms % 1000).padStart(3, '0')}` : '';
  return s < 60 ? `${s}${frac}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}${frac}s`;
}
