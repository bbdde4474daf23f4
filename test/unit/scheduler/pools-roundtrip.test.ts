import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCell } from '../../../sim/cinder/scheduler/pools-import.js';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { defaultCloudFactory } from '../../../sim/harness/simulated-cloud.js';
import { packageRoot } from '../../../sim/scenario/library.js';
import { loadScenarioFile, loadScenarioText } from '../../../sim/scenario/loader.js';
import type { RunOutcome } from '../../../sim/scenario/outcome.js';
import { runScenario } from '../../../sim/scenario/runner.js';

/**
 * The round trip the silent wrong answer broke: a simulated cloud's
 * `cinder get-pools --detail`, fed to `cinder-sim schedule --pools` with the
 * request a later step made, must reach the decision the simulated
 * scheduler made for that step.
 */

const dir = mkdtempSync(join(tmpdir(), 'pools-roundtrip-'));

async function schedule(listing: string, ...argv: string[]) {
  const file = `listing-${Math.abs(hash(listing))}.txt`;
  writeFileSync(join(dir, file), listing);
  const io = bufferIo(dir);
  const code = await main(['schedule', '--pools', file, ...argv], io);
  return { code, out: io.out, err: io.err };
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

/** The decision the simulated scheduler made for a step's create: the pool chosen (null for none) and the filter that emptied the list. */
function decisionOf(outcome: RunOutcome, stepId: string): { chosen: string | null; emptied_by: string | null } {
  const step = outcome.steps.find((s) => s.id === stepId)!;
  const volume = outcome.requests.find((r) => step.requests.includes(r.seq) && r.resource_id !== null)!.resource_id;
  const d = outcome.decisions.find((x) => x.resource_id === volume)!;
  return { chosen: d.chosen, emptied_by: d.emptied_by };
}

function outputOf(outcome: RunOutcome, stepId: string): string {
  return outcome.steps.find((s) => s.id === stepId)!.output;
}

/** What `schedule --pools` decided: the pool, or null and the filter that left none. */
function scheduled(out: string): { chosen: string | null; emptied_by: string | null } {
  const r = JSON.parse(out) as { selected: string | null; filters: { name: string; passed: string[] }[] | null };
  const emptied = r.filters?.find((f) => f.passed.length === 0)?.name ?? null;
  return { chosen: r.selected, emptied_by: r.selected === null ? emptied : null };
}

const THICK_THIN = `
version: 1
name: roundtrip
description: a thick and a thin pool, listed and then scheduled on
seed: 5
duration: 30m
topology:
  nodes:
    - name: controller
      services: [cinder-api, cinder-scheduler]
    - name: node1
      cinder_conf: |
        [DEFAULT]
        enabled_backends = thick,thin
        [thick]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_group = vg-thick
        volume_backend_name = thick
        lvm_type = default
        reserved_percentage = 10
        [thin]
        volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
        volume_group = vg-thin
        volume_backend_name = thin
        lvm_type = thin
        max_over_subscription_ratio = 2.0
      backends:
        thick: {vg_size_gb: 100}
        thin: {vg_size_gb: 100}
setup:
  - cinder type-create thick
  - cinder type-key thick set volume_backend_name=thick
  - cinder type-create thin
  - cinder type-key thin set volume_backend_name=thin
  - cinder create --volume-type thick --name big 85
steps:
  - {at: 10m, id: pools, cmd: cinder get-pools --detail}
  - {at: 20m, id: thick_ok, cmd: cinder create --volume-type thick --name t 5}
  - {at: 20m, id: thin_ok, cmd: cinder create --volume-type thin --name n 50}
  - {at: 20m, id: thick_full, cmd: cinder create --volume-type thick --name f 20}
`;

describe('get-pools --detail -> schedule --pools round trip', () => {
  const own = runScenario(loadScenarioText(THICK_THIN, 'roundtrip.yaml', '/'), { seed: '5', cloud: defaultCloudFactory, replay: '' });
  const listing = outputOf(own, 'pools');

  test('the listing is as cinderclient prints it: Python literals, no JSON', () => {
    expect(listing).toContain("| storage_protocol            | ['iSCSI', 'iscsi']");
    expect(listing).toMatch(/\| thin_provisioning_support +\| False +\|/);
    expect(listing).not.toMatch(/\| (true|false|null) +\|/);
  });

  test.each([
    ['thick_ok', ['--size', '5', '--extra-spec', 'volume_backend_name=thick']],
    ['thin_ok', ['--size', '50', '--extra-spec', 'volume_backend_name=thin']],
    ['thick_full', ['--size', '20', '--extra-spec', 'volume_backend_name=thick']],
  ] as const)('step %s: schedule --pools decides as the simulated scheduler did', async (step, argv) => {
    const r = await schedule(listing, ...argv);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(scheduled(r.out)).toEqual(decisionOf(own, step));
  });

  test('the simulated decisions are the ones the case is about (a placement and a refusal)', () => {
    expect(decisionOf(own, 'thick_ok').chosen).toBe('node1@thick#thick');
    // CapacityFilter drops the full thick pool, CapabilitiesFilter then the thin one.
    expect(decisionOf(own, 'thick_full')).toEqual({ chosen: null, emptied_by: 'CapabilitiesFilter' });
  });

  test("the library's capacity-exhaustion: a full thick pool is not selected from its own listing", async () => {
    const loaded = loadScenarioFile('scenarios/capacity-exhaustion.yaml', packageRoot());
    const outcome = runScenario(loaded, { seed: '31', cloud: defaultCloudFactory, replay: '' });
    const r = await schedule(outputOf(outcome, 'pools'), '--size', '10', '--extra-spec', 'volume_backend_name=thick');
    expect(scheduled(r.out)).toEqual(decisionOf(outcome, 'thick_full'));
    expect(scheduled(r.out)).toEqual({ chosen: null, emptied_by: 'CapacityFilter' });
  });

  test('a JSON-style listing (false, ["iSCSI","iscsi"]) reads as JSON meant it, with a warning', async () => {
    const jsonStyle = listing
      .replace(/\| False( +)\|/g, '| false$1|')
      .replace(/\| True( +)\|/g, '| true$1|')
      .replace(/\['iSCSI', 'iscsi'\]/g, '["iSCSI","iscsi"]  ');
    expect(jsonStyle).toContain('| false');
    const r = await schedule(jsonStyle, '--size', '20', '--extra-spec', 'volume_backend_name=thick');
    expect(scheduled(r.out)).toEqual(decisionOf(own, 'thick_full'));
    expect(r.err).toMatch(/warning: \d+ values are JSON-style, not Python's str\(\) as cinderclient prints them .*thin_provisioning_support "false"/);
  });

  test.each([
    ['false', false, true],
    ['null', null, true],
    ['["iSCSI","iscsi"]', ['iSCSI', 'iscsi'], true],
    ['{"k": true}', { k: true }, true],
    ['False', false, false],
    ["['iSCSI', 'iscsi']", ['iSCSI', 'iscsi'], false],
    [`["it's"]`, ["it's"], false],
    ["{'note': 'true'}", { note: 'true' }, false],
    ['falsehood', 'falsehood', false],
  ] as const)('cell %s reads as %j (JSON-style: %s)', (text, value, jsonStyle) => {
    expect(readCell(text)).toEqual({ value, jsonStyle });
  });
});

describe('a listing pasted from a terminal', () => {
  const fixture = readFileSync('test/fixtures/scheduler/cli/get-pools.txt', 'utf8');
  const pasted = [
    'stack@ctl1:~$ cinder get-pools --detail',
    'WARNING:cinderclient.shell:API version 3.70 requested,',
    'WARNING:cinderclient.shell:downgrading to 3.66 based on server support.',
    fixture.trimEnd(),
    'stack@ctl1:~$ ',
  ].join('\n');

  test('lines outside the tables are skipped and counted; the decision is the clean listing\'s', async () => {
    const clean = await schedule(fixture, '--size', '10', '--extra-spec', 'tier=gold');
    const r = await schedule(pasted, '--size', '10', '--extra-spec', 'tier=gold');
    expect(r.code).toBe(0);
    expect(r.out).toBe(clean.out);
    expect(r.err).toMatch(/warning: skipped 4 lines outside the tables \(lines 1-3, \d+: a shell prompt, cinderclient's WARNING lines/);
  });

  test('a table cut short is still refused, naming the line', async () => {
    const cut = pasted.split('\n').slice(0, 12).join('\n');
    const r = await schedule(cut, '--size', '10');
    expect(r.code).toBe(2);
    expect(r.err).toContain('line 12: the listing ends inside a table');
  });
});
