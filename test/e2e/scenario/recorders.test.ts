import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { loadScenarioText } from '../../../sim/scenario/loader.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/**
 * The two recorders of a run: 'all' keeps every request and decision, 'lean'
 * keeps the steps' requests, counts the rest and digests the decisions,
 * draining the scheduler's log as it goes (every 64 arrivals of a workload
 * and at every sample).  Both must tell the same story.
 */
const text = `version: 1
name: recorders
description: full and lean records agree
duration: 2d
sample_every: 2h
topology:
  nodes:
    - {name: controller, services: [cinder-api, cinder-scheduler]}
    - name: node1
      cinder_conf: |
        [DEFAULT]
        enabled_backends = a,b
        [a]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_group = vg-a
        lvm_type = default
        [b]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_group = vg-b
        lvm_type = default
      backends:
        a: {vg_size_gb: 200}
        b: {vg_size_gb: 150}
  projects:
    p: {quotas: {volumes: -1, gigabytes: -1, snapshots: -1}}
setup:
  - cinder create 1 --name first
steps:
  - {at: 1d, cmd: cinder list}
workloads:
  - {name: w, arrival: {process: poisson, per_hour: 8}, size_gb: {dist: uniform, min: 1, max: 60}, lifetime: {dist: exponential, mean: 1d}, mix: {create: 6, extend: 1, snapshot: 1}, projects: [p]}
`;

describe('full and lean recorders', () => {
  const loaded = loadScenarioText(text, 'recorders.yaml', '.');
  const full = runScenario(loaded, { seed: '4', cloud: defaultCloudFactory, replay: 'x' });
  const lean = runScenario(loaded, { seed: '4', cloud: defaultCloudFactory, replay: 'x', records: 'lean' });

  it('runs long enough to drain the lean log more than once, with refusals among the decisions', () => {
    expect(full.workloads[0]!.requests).toBeGreaterThan(128);
    expect(full.decisions.some((d) => !d.ok)).toBe(true);
  });

  it('count the same requests, creates and decisions', () => {
    const { decisions_digest: digest, decisions_checkpoints: _checkpoints, ...counts } = lean.summary;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(counts).toEqual(full.summary);
  });

  it('lean keeps only the steps\u2019 requests, and the decisions about what they started', () => {
    expect(lean.requests.map((r) => r.source)).toEqual(full.requests.filter((r) => r.source.startsWith('step:')).map((r) => r.source));
    const stepIds = new Set(full.requests.filter((r) => r.source.startsWith('step:')).map((r) => r.resource_id));
    const mine = full.decisions.filter((d) => stepIds.has(d.resource_id));
    expect(mine.length).toBe(1);
    expect(lean.decisions.map((d) => [d.at_ms, d.resource_id === null, d.chosen])).toEqual(mine.map((d) => [d.at_ms, false, d.chosen]));
  });

  it("lean's digest is the digest of the full run's decisions, in order", () => {
    const h = createHash('sha256');
    for (const d of full.decisions) h.update(`${d.at_ms}|${d.operation}|${d.resource_id}|${d.ok ? 1 : 0}|${d.chosen ?? ''}|${d.message ?? ''}\n`);
    expect(lean.summary.decisions_digest).toBe(h.digest('hex'));
  });

  it('checkpoints the running digest every 1000 decisions, as a replay recomputes it', () => {
    const h = createHash('sha256');
    const want: { decisions: number; at_ms: number; digest: string }[] = [];
    full.decisions.forEach((d, i) => {
      h.update(`${d.at_ms}|${d.operation}|${d.resource_id}|${d.ok ? 1 : 0}|${d.chosen ?? ''}|${d.message ?? ''}\n`);
      if ((i + 1) % 1000 === 0) want.push({ decisions: i + 1, at_ms: d.at_ms, digest: h.copy().digest('hex').slice(0, 16) });
    });
    expect(lean.summary.decisions_checkpoints).toEqual(want);
  });

  it('record the same service states, capacity and workload summaries', () => {
    expect(lean.service_states).toEqual(full.service_states);
    expect(lean.capacity).toEqual(full.capacity);
    expect(lean.workloads).toEqual(full.workloads);
  });
});

describe('expectations a lean run cannot judge', () => {
  it('placements, emptied_by and no_candidates fail saying why, never by counting nothing', async () => {
    const { loadScenarioFile } = await import('../../../sim/scenario/loader.js');
    const { libraryFiles, packageRoot } = await import('../../../sim/scenario/library.js');
    const { LEAN_CANNOT_JUDGE } = await import('../../../sim/scenario/expectations.js');
    const file = libraryFiles().find((f) => f.endsWith('/capacity-exhaustion.yaml'))!;
    const loaded = loadScenarioFile(file, packageRoot());
    const opts = { seed: '31', cloud: defaultCloudFactory, replay: 'x' };
    const full = runScenario(loaded, opts);
    const lean = runScenario(loaded, { ...opts, records: 'lean' });
    const decisionReaders = loaded.scenario.expect.flatMap((e, i) => (e.placements !== undefined || e.emptied_by !== undefined || e.no_candidates !== undefined ? [i] : []));
    expect(decisionReaders.length).toBeGreaterThan(0);
    for (const i of decisionReaders) {
      expect(full.expectations[i]!.passed).toBe(true);
      expect(lean.expectations[i]!.passed).toBe(false);
      expect(lean.expectations[i]!.detail).toContain(LEAN_CANNOT_JUDGE);
    }
    // The others are judged the same way in both.
    for (const [i, e] of lean.expectations.entries()) if (!decisionReaders.includes(i)) expect(e.passed).toBe(full.expectations[i]!.passed);
  });
});
