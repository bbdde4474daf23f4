import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { libraryFiles } from '../../../sim/scenario/library.js';

const failing = `version: 1
name: failing
description: an expectation that does not hold
seed: 5
duration: 5m
topology:
  nodes:
    - {name: ctl, services: [cinder-api, cinder-scheduler]}
    - name: n1
      cinder_conf: "[DEFAULT]\\nenabled_backends = lvm\\n[lvm]\\nvolume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver\\n"
steps:
  - {at: 1m, id: c, cmd: cinder create --name v 10}
expect:
  - {step: c, outcome: ok}
  - {volume: v, status: in-use}
`;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'cinder-sim-cli-'));
}

describe('cinder-sim run / validate / list / schema through main(argv, io)', () => {
  it('run: a built-in scenario by name passes, prints the seed first, writes outcome.json and the reports', async () => {
    const dir = tmp();
    const io = bufferIo(dir);
    const code = await main(['run', 'volume-transfer', '--out', 'o'], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out.split('\n')[0]).toBe('seed: 71');
    expect(io.out).toContain('PASS  step accept_wrong');
    for (const f of ['volume-transfer/outcome.json', 'report.txt', 'report.json', 'report.md', 'junit.xml', 'capacity.txt', 'transcript.txt', '.cinder-sim-out']) {
      expect(existsSync(join(dir, 'o', f)), f).toBe(true);
    }
    const outcome = JSON.parse(readFileSync(join(dir, 'o', 'volume-transfer', 'outcome.json'), 'utf8')) as { schema_version: number; seed: string; file: string };
    expect(outcome).toMatchObject({ schema_version: 2, seed: '71', file: 'scenarios/volume-transfer.yaml' });
    expect(readFileSync(join(dir, 'o', 'volume-transfer', 'outcome.json'), 'utf8')).not.toContain(dir);
  });

  it('run: --seed overrides, and the same seed writes byte-identical outcome.json', async () => {
    const dir = tmp();
    const a = bufferIo(dir);
    expect(await main(['run', 'snapshot-rules', '--seed', '9', '--out', 'a'], a)).toBe(0);
    expect(a.out.split('\n')[0]).toBe('seed: 9');
    expect(await main(['run', 'snapshot-rules', '--seed', '9', '--out', 'b'], bufferIo(dir))).toBe(0);
    expect(readFileSync(join(dir, 'a/snapshot-rules/outcome.json'), 'utf8')).toBe(readFileSync(join(dir, 'b/snapshot-rules/outcome.json'), 'utf8'));
  });

  it('run: a failing expectation exits 1 and prints the replay command', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'f.yaml'), failing);
    const io = bufferIo(dir);
    expect(await main(['run', 'f.yaml', '--out', 'o'], io)).toBe(1);
    expect(io.out).toContain('FAIL  volume v: status in-use');
    expect(io.out).toContain('replay: cinder-sim run f.yaml --seed 5');
    expect(readFileSync(join(dir, 'o', 'junit.xml'), 'utf8')).toContain('<failure');
  });

  it('run: a bad scenario exits 2 with every problem and nothing run', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.yaml'), failing.replace('duration: 5m', 'duration: five').replace('--name v', '--nmae v'));
    const io = bufferIo(dir);
    expect(await main(['run', 'bad.yaml', '--out', 'o'], io)).toBe(2);
    expect(io.err).toContain('bad.yaml:5:11: duration:');
    expect(io.err).toContain('bad.yaml:12:');
    expect(io.err).toContain("invalid int value: 'v' (after the unrecognized --nmae)");
    expect(io.err).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });

  it("run: refuses to write into a user's own directory", async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'precious');
    const io = bufferIo(dir);
    expect(await main(['run', 'volume-transfer', '--out', 'mine'], io)).toBe(2);
    expect(io.err).toContain('refusing to write into --out mine');
    expect(readFileSync(join(dir, 'mine', 'notes.txt'), 'utf8')).toBe('precious');
  });

  it('run: an unknown scenario name lists the built-in ones', async () => {
    const io = bufferIo(tmp());
    expect(await main(['run', 'clock-skw'], io)).toBe(2);
    expect(io.err).toContain("no scenario file 'clock-skw' and no built-in scenario of that name; built-in: ");
    expect(io.err).toContain('clock-skew');
  });

  it('validate: ok files and bad ones, exit 2 on any problem', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.yaml'), failing.replace('outcome: ok', 'outcome: fine'));
    const io = bufferIo(dir);
    expect(await main(['validate', libraryFiles()[0]!, 'bad.yaml'], io)).toBe(2);
    expect(io.out).toContain(': ok (');
    expect(io.err).toContain("bad.yaml:14:24: expect[0].outcome: 'fine' is not valid; valid: ok, error");
  });

  it('validate: a volume_driver class Cinder does not have is a warning, not a refusal', async () => {
    const dir = tmp();
    const conf = '[DEFAULT]\nenabled_backends = good,bad\n[good]\nvolume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver\n[bad]\nvolume_driver = cinder.volume.drivers.lvm.LVMISCSIDriver\n';
    writeFileSync(join(dir, 'node1.conf'), conf);
    writeFileSync(
      join(dir, 'bad-driver.yaml'),
      'version: 1\nname: bad-driver\ndescription: d\nduration: 1m\ntopology:\n  nodes:\n    - {name: controller, services: [cinder-api, cinder-scheduler]}\n    - {name: node1, cinder_conf: {file: node1.conf}}\n',
    );
    const io = bufferIo(dir);
    expect(await main(['validate', 'bad-driver.yaml'], io)).toBe(0);
    expect(io.out).toContain('bad-driver.yaml: ok (bad-driver), 1 warning');
    expect(io.err).toContain('node1.conf:6:1: topology.nodes[1].cinder_conf.file: warning: cinder.conf: Cinder 2023.1 has no driver class cinder.volume.drivers.lvm.LVMISCSIDriver');
  });

  it('list: every built-in scenario with its description', async () => {
    const io = bufferIo(tmp());
    expect(await main(['list'], io)).toBe(0);
    expect(io.out.trim().split('\n').length).toBe(libraryFiles().length);
    expect(io.out).toMatch(/^clock-skew\s+NTP breaks on node3/m);
  });

  it('bench scenario: a small cloud through the real runner prints its figures', async () => {
    const io = bufferIo(tmp());
    expect(await main(['bench', 'scenario', '--backends', '12', '--requests', '300', '--years', '0.01', '--json'], io)).toBe(0);
    const f = JSON.parse(io.out) as Record<string, number>;
    expect(f['backends']).toBe(12);
    expect(f['requests']).toBeGreaterThan(150);
    expect(f['requests_succeeded']).toBe(f['requests']);
    expect(f['events']).toBeGreaterThan(0);
    expect(f['peak_rss_mb']).toBeGreaterThan(0);
  });

  it('bench scenario: creates and the deletes due within the run come to about the requests asked for; the digest replays', async () => {
    const run = async (): Promise<Record<string, number | string>> => {
      const io = bufferIo(tmp());
      expect(await main(['bench', 'scenario', '--backends', '10', '--requests', '20000', '--json'], io)).toBe(0);
      return JSON.parse(io.out) as Record<string, number | string>;
    };
    const a = await run();
    const b = await run();
    expect(Math.abs(Number(a['requests']) - 20_000)).toBeLessThan(600);
    expect(Number(a['creates'])).toBeGreaterThan(Number(a['requests']) / 2);
    expect(a['decisions_digest']).toMatch(/^[0-9a-f]{64}$/);
    expect(b['decisions_digest']).toBe(a['decisions_digest']);
  });

  it('schema: a JSON Schema with the version and the fault kinds', async () => {
    const io = bufferIo(tmp());
    expect(await main(['schema'], io)).toBe(0);
    const s = JSON.parse(io.out) as { properties: Record<string, unknown> };
    expect(s.properties['version']).toMatchObject({ const: 1 });
    expect(io.out).toContain('"clock_drift"');
  });
});
