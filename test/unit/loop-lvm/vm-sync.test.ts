import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient } from '../../../drivers/loop-lvm/vm/client.js';

/**
 * A fake agent on a unix socket that loses the first `lose` requests (as a
 * frame left half-read by an earlier connection swallows the next one) and
 * answers the rest as the guest agent does: `echo X` prints X.
 */
function fakeAgent(socket: string, lose: number): Promise<Server> {
  let seen = 0;
  const server = createServer((c) => {
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString('utf8');
      for (;;) {
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        const m = /^CSVM ([a-z0-9]+) (\d+) (\d+)$/.exec(buf.slice(0, nl));
        if (!m) throw new Error(`bad header ${buf.slice(0, nl)}`);
        const len = Number(m[3]);
        if (buf.length < nl + 1 + len) return;
        const script = buf.slice(nl + 1, nl + 1 + len);
        buf = buf.slice(nl + 1 + len);
        if (seen++ < lose) continue;
        const out = script.startsWith('echo ') ? `${script.slice(5)}\n` : '';
        c.write(`CSVM-BEGIN ${m[1]} 0 ${Buffer.byteLength(out)} 0\n${out}\nCSVM-END ${m[1]}\n`);
      }
    });
  });
  return new Promise((resolve) => server.listen(socket, () => resolve(server)));
}

describe('the agent client syncs before its first real command', () => {
  let server: Server | null = null;
  afterEach(() => server?.close());

  it('a request swallowed at the start costs a probe, not the command', async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'vm-sync-')), 'agent.sock');
    server = await fakeAgent(socket, 1);
    const c = await AgentClient.connect(socket, 'test');
    try {
      await c.sync(10_000, 200);
      expect((await c.exec('echo hello', { timeoutMs: 2_000 })).stdout).toBe('hello\n');
    } finally {
      c.close();
    }
  });

  it('an agent that never answers: sync gives up with the timeout after its deadline', async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'vm-sync-')), 'agent.sock');
    server = await fakeAgent(socket, Infinity);
    const c = await AgentClient.connect(socket, 'test');
    try {
      await expect(c.sync(1_500, 500)).rejects.toThrow(/gave no answer/);
    } finally {
      c.close();
    }
  });
});
