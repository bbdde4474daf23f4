import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProcesses, processScript, spawnScript } from '../../../drivers/loop-lvm/vm/agent-runner.js';
import { agentScript } from '../../../drivers/loop-lvm/vm/guest.js';
import { commandLine, encodeRequest, FrameReader, shellQuote, type AgentAnswer } from '../../../drivers/loop-lvm/vm/protocol.js';

/**
 * The agent's protocol, both sides: the framing as pure functions, and the
 * real agent script (bash, in its stdin/stdout variant) answering real
 * requests, no VM needed.
 */
const frame = (id: string, rc: number, out: string, err: string): string =>
  `CSVM-BEGIN ${id} ${rc} ${Buffer.byteLength(out)} ${Buffer.byteLength(err)}\n${out}${err}\nCSVM-END ${id}\n`;

describe('framing', () => {
  it('a request: header with the byte length, then the script as is', () => {
    expect(encodeRequest({ id: 'a1', timeoutS: 30, script: 'echo é\n' }).toString()).toBe('CSVM a1 30 8\necho é\n');
    expect(() => encodeRequest({ id: 'A!', timeoutS: 1, script: '' })).toThrow(/id/);
    expect(() => encodeRequest({ id: 'a', timeoutS: 0, script: '' })).toThrow(/timeout/);
    expect(() => encodeRequest({ id: 'a', timeoutS: 1, script: 'a\0b' })).toThrow(/NUL/);
  });
  it('answers reassembled from a stream cut at every byte, payloads with newlines, frame-like text and UTF-8', () => {
    const tricky = 'line\nCSVM-END x1\nCSVM-BEGIN y 0 0 0\n\n';
    const stream = Buffer.from(`noise\n${frame('x1', 3, tricky, 'é\n')}${frame('x2', 0, '', '')}`);
    const got: AgentAnswer[] = [];
    const r = new FrameReader();
    for (let i = 0; i < stream.length; i++) got.push(...r.push(stream.subarray(i, i + 1)));
    expect(got).toEqual([
      { id: 'x1', exitCode: 3, stdout: tricky, stderr: 'é\n' },
      { id: 'x2', exitCode: 0, stdout: '', stderr: '' },
    ]);
    expect(r.dropped).toEqual(['noise']);
  });
  it('a frame cut short (a reconnect) is dropped and the next one is read', () => {
    const r = new FrameReader();
    const cut = 'CSVM-BEGIN x1 0 100 0\nonly a little\n';
    expect(r.push(cut + 'x'.repeat(100 - 'only a little\n'.length) + frame('x2', 1, 'ok\n', ''))).toEqual([{ id: 'x2', exitCode: 1, stdout: 'ok\n', stderr: '' }]);
    expect(r.dropped[0]).toMatch(/x1 \(no trailer/);
  });
  it('shell words mean exactly the argv; env assignments precede exec', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a-b/c.d=e:f,g')).toBe('a-b/c.d=e:f,g');
    expect(shellQuote('')).toBe("''");
    expect(commandLine(['lvs', '--config', 'global{activation=0}'], { LVM_SUPPRESS_FD_WARNINGS: '1' })).toBe("LC_ALL=C LVM_SUPPRESS_FD_WARNINGS=1 exec lvs --config 'global{activation=0}'");
    expect(() => commandLine([])).toThrow(/empty/);
    expect(() => commandLine(['x'], { 'A B': '1' })).toThrow(/not a shell name/);
  });
  it('the guest process table: pid, state and environment per line', () => {
    expect(parseProcesses('42 S TGT_IPC_SOCKET=/var/lib/cinder-sim/a/tgt/s\x01PATH=/bin\n43 R \n\n', 'tgtd')).toEqual([
      { pid: 42, comm: 'tgtd', state: 'S', env: { TGT_IPC_SOCKET: '/var/lib/cinder-sim/a/tgt/s', PATH: '/bin' } },
      { pid: 43, comm: 'tgtd', state: 'R', env: {} },
    ]);
  });
});

describe('the agent script, run by bash on its stdin and stdout', () => {
  let agent: ChildProcess;
  let work: string;
  const reader = new FrameReader();
  const waiting = new Map<string, (a: AgentAnswer) => void>();
  let n = 0;
  const ask = (script: string, timeoutS = 20): Promise<AgentAnswer> => {
    const id = `q${++n}`;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      agent.stdin!.write(encodeRequest({ id, timeoutS, script }));
    });
  };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cinder-sim-agent-'));
    agent = spawn('bash', ['-c', agentScript({ stdio: true })], { env: { ...process.env, CINDER_SIM_AGENT_WORK: work }, stdio: ['pipe', 'pipe', 'ignore'] });
    agent.stdout!.on('data', (b: Buffer) => {
      for (const a of reader.push(b)) waiting.get(a.id)?.(a);
    });
  });
  afterAll(() => {
    agent.stdin!.end();
    agent.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('runs a script: stdout and stderr apart, the exit code, trailing newlines kept', async () => {
    expect(await ask('echo out; echo err >&2; printf "\\n\\n"; exit 3')).toMatchObject({ exitCode: 3, stdout: 'out\n\n\n', stderr: 'err\n' });
  });
  it('runs an argv exactly, quotes and all, with its environment', async () => {
    const argv = ['sh', '-c', 'printf "%s|%s|%s" "$1" "$2" "$FOO"', 'sh', `it's "q" $HOME \\ \n x`, ''];
    expect(await ask(commandLine(argv, { FOO: 'b a r' }))).toMatchObject({ exitCode: 0, stdout: `it's "q" $HOME \\ \n x||b a r` });
  });
  it('carries a large output whole', async () => {
    const a = await ask('head -c 3000000 /dev/zero | tr "\\0" x; echo');
    expect([a.exitCode, a.stdout.length, a.stdout.replace(/x/g, '')]).toEqual([0, 3000001, '\n']);
  });
  it('kills a script at its timeout (exit 137) and answers the next request', async () => {
    const slow = ask('sleep 30', 1);
    expect((await slow).exitCode).toBe(137);
    expect(await ask('echo next')).toMatchObject({ exitCode: 0, stdout: 'next\n' });
  });
  it('a syntax error is an answer, not a dead agent', async () => {
    expect((await ask('if then fi')).exitCode).toBe(2);
    expect((await ask('true')).exitCode).toBe(0);
  });
  it('starts a daemon and answers its pid once the child has become the program, which outlives the request', async () => {
    const line = commandLine(['sleep', '30'], { MARK: 'daemon' }).replace(' exec ', ' setsid ');
    const a = await ask(spawnScript(line, 'sleep', `${work}/sleep.log`).replace(/\/run\/cinder-sim-daemons/g, work));
    const pid = Number(a.stdout.trim());
    try {
      expect(a.exitCode).toBe(0);
      expect(readFileSync(`/proc/${pid}/comm`, 'utf8')).toBe('sleep\n');
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('MARK=daemon');
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });
  it('lists processes by name with their environment (the guest process table)', async () => {
    const child = spawn('sleep', ['30'], { env: { MARK: 'cinder-sim-test' }, stdio: 'ignore' });
    try {
      const a = await ask(`f() {\n${processScript}\n}; f sleep`);
      const mine = parseProcesses(a.stdout, 'sleep').find((p) => p.pid === child.pid);
      expect(mine?.env).toEqual({ MARK: 'cinder-sim-test' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
