import { describe, expect, it } from 'vitest';
import { jsonReport } from '../../../reports/json.js';
import { junitReport } from '../../../reports/junit.js';
import { markdownReport } from '../../../reports/markdown.js';
import { textReport } from '../../../reports/text.js';
import { transcript } from '../../../reports/transcript.js';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/**
 * Counts that add up: a 100 GB backend, 30 GB creates every 4 h that live a
 * day (the fourth of a day finds no room and ends in error), a create the
 * API refuses (quota), and a create it accepts that then fails.  Every count
 * a run shows uses one definition and one set of words: refused by the
 * API / accepted then failed / in flight / succeeded.
 */
const text = `version: 1
name: counts
description: counts that add up
duration: 3d
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      cinder_conf: |
        [DEFAULT]
        enabled_backends = lvm
        [lvm]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_group = cinder-volumes
        lvm_type = default
      backends:
        lvm: {vg_size_gb: 100}
  projects:
    p: {quotas: {volumes: -1, gigabytes: -1}}
    small: {quotas: {gigabytes: 5}}
steps:
  - {at: 1h, id: too_big, cmd: cinder create 500 --name too-big}
  - {at: 1h, id: over_quota, cmd: cinder create 10 --name over-quota, as: small}
  - {at: 1h, id: fits, cmd: cinder create 1 --name fits}
workloads:
  - {name: w, arrival: {process: constant, every: 4h}, size_gb: {dist: constant, value: 30}, lifetime: {dist: constant, value: 1d}, projects: [p]}
expect:
  - {step: too_big, outcome: failed, message_contains: No valid backend was found}
  - {step: over_quota, outcome: refused, http: 413}
  - {step: fits, outcome: succeeded}
`;

describe('counts that add up', () => {
  const loaded = loadScenarioText(text, 'counts.yaml', '.');
  const full = runScenario(loaded, { seed: '1', cloud: defaultCloudFactory, replay: 'x' });
  const lean = runScenario(loaded, { seed: '1', cloud: defaultCloudFactory, replay: 'x', records: 'lean' });
  const s = full.summary;

  it('each total is the sum of succeeded, refused, failed and in flight; creates that end in error are failed, not ok', () => {
    expect(s.requests).toBe(s.requests_succeeded + s.requests_refused + s.requests_failed + s.requests_in_flight);
    expect(s.creates).toBe(s.creates_succeeded + s.creates_refused + s.creates_failed + s.creates_in_flight);
    expect(s.creates_failed).toBeGreaterThan(1);
    expect(s.creates_refused).toBe(1);
    const failedDecisions = full.decisions.filter((d) => d.operation === 'create_volume' && !d.ok).length;
    expect(s.creates_failed).toBe(failedDecisions);
  });

  it('per-request records carry the same result the summary counts', () => {
    const by = (r: string) => full.requests.filter((x) => x.result === r).length;
    expect([by('succeeded'), by('refused'), by('failed'), by('in_flight')]).toEqual([s.requests_succeeded, s.requests_refused, s.requests_failed, s.requests_in_flight]);
  });

  it('workload summaries count failed creates as failed', () => {
    const w = full.workloads[0]!;
    expect(w.requests).toBe(w.succeeded + w.refused + w.failed + w.in_flight);
    expect(w.failed).toBe(s.creates_failed - 1);
    expect(w.failed).toBe(full.requests.filter((r) => r.source === 'workload:w' && r.result === 'failed').length);
  });

  it("a step's printed outcome and its expectation agree", () => {
    expect(full.steps.map((st) => [st.id, st.outcome, st.exit_status])).toEqual([
      ['too_big', 'failed', 0],
      ['over_quota', 'refused', 1],
      ['fits', 'succeeded', 0],
    ]);
    expect(full.expectations.map((e) => e.passed)).toEqual([true, true, true]);
    const tr = transcript(full);
    expect(tr).toContain('too_big as admin: $ cinder create 500 --name too-big -> failed');
    const w = full.workloads[0]!;
    expect(tr).toContain(`w: ${w.requests} requests: 0 refused by the API, ${w.failed} accepted then failed, 0 in flight, ${w.succeeded} succeeded`);
  });

  it('the text report says the same', () => {
    const txt = textReport.render({ seed: '1', outcomes: [full] } as Parameters<typeof textReport.render>[0]);
    expect(txt).toContain(`${s.requests} requests: 1 refused by the API, ${s.requests_failed} accepted then failed, 0 in flight, ${s.requests_succeeded} succeeded`);
  });

  it('report.json, junit.xml and report.md say the same, in the same words', () => {
    const report = { seed: '1', outcomes: [full] } as Parameters<typeof textReport.render>[0];
    const json = JSON.parse(jsonReport.render(report)) as { scenarios: { summary: typeof s }[] };
    expect(json.scenarios[0]!.summary).toMatchObject({ requests: s.requests, requests_refused: 1, requests_failed: s.requests_failed, requests_in_flight: 0, requests_succeeded: s.requests_succeeded });
    const xml = junitReport.render(report);
    for (const [k, v] of [['requests', s.requests], ['requests_refused', 1], ['requests_failed', s.requests_failed], ['requests_in_flight', 0], ['requests_succeeded', s.requests_succeeded], ['creates_failed', s.creates_failed]] as const) {
      expect(xml).toContain(`<property name="${k}" value="${v}"/>`);
    }
    const line = `${s.requests} requests: 1 refused by the API, ${s.requests_failed} accepted then failed, 0 in flight, ${s.requests_succeeded} succeeded`;
    expect(xml).toContain(`<system-out>${line}\n`);
    expect(markdownReport.render(report)).toContain(line);
  });

  it('lean runs count the same way', () => {
    const { decisions_digest: _d, decisions_checkpoints: _c, ...counts } = lean.summary;
    expect(JSON.stringify(counts)).toBe(JSON.stringify(full.summary));
    expect(lean.workloads).toEqual(full.workloads);
    expect(lean.steps.map((st) => st.outcome)).toEqual(full.steps.map((st) => st.outcome));
  });
});
