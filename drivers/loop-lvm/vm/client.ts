/**
 * The host side of the agent: one connection to the VM's virtio-serial
 * socket, requests sent one at a time (the guest runs one at a time; a
 * host-side queue keeps each request's timeout its own), answers matched by
 * id.  A request that times out is abandoned: its late answer is dropped
 * by id, and the guest's own timeout (the same, minus a margin) kills it.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { VmError } from './errors.js';
import { encodeRequest, FrameReader, type AgentAnswer } from './protocol.js';

export interface ExecOptions {
  /** Host-side deadline; the guest kills the script a little earlier. */
  timeoutMs: number;
}

/** The guest's timeout for a host deadline: whole seconds, at least 1, 2 s short of the host's. */
export function guestTimeoutS(timeoutMs: number): number {
  return Math.max(1, Math.floor(timeoutMs / 1000) - 2);
}

export class AgentClient {
  private readonly reader = new FrameReader();

  private readonly waiting = new Map<string, { resolve: (a: AgentAnswer) => void; reject: (e: Error) => void }>();

  private chain: Promise<unknown> = Promise.resolve();

  private closedWith: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly socketPath: string,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const a of this.reader.push(chunk)) {
        const w = this.waiting.get(a.id);
        if (w) {
          this.waiting.delete(a.id);
          w.resolve(a);
        }
      }
    });
    const fail = (why: string): void => {
      this.closedWith ??= new VmError('Agent', `the test VM's agent connection (${socketPath}) ${why}; is the VM still running? (cinder-sim vm status; its console log is beside the socket)`);
      for (const w of this.waiting.values()) w.reject(this.closedWith);
      this.waiting.clear();
    };
    socket.on('error', (e) => fail(`failed: ${e.message}`));
    socket.on('close', () => fail('closed'));
  }

  /** Connects; a missing or refusing socket is NotRunning. */
  static connect(socketPath: string, vmName: string): Promise<AgentClient> {
    return new Promise((resolve, reject) => {
      const s = connect(socketPath);
      const onError = (e: NodeJS.ErrnoException): void => {
        s.destroy();
        reject(
          e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
            ? new VmError('NotRunning', `the test VM "${vmName}" is not running (no agent at ${socketPath}); start it with: cinder-sim vm start${vmName === 'default' ? '' : ` --name ${vmName}`}`)
            : new VmError('Agent', `cannot connect to the test VM's agent at ${socketPath}: ${e.message}`),
        );
      };
      s.once('error', onError);
      s.once('connect', () => {
        s.off('error', onError);
        resolve(new AgentClient(s, socketPath));
      });
    });
  }

  /**
   * Waits until the agent answers this connection: a short probe, sent
   * again until one is answered or `withinMs` has passed.  Bytes an earlier
   * connection left in the virtio-serial port (a probe sent while the guest
   * booted, a frame cut by a closed connection) can swallow the first
   * request of a new connection; a probe, not a real command, is what they
   * swallow.
   */
  async sync(withinMs = 60_000, probeMs = 5_000): Promise<void> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const token = `sync-${randomBytes(4).toString('hex')}`;
      const a = await this.exec(`echo ${token}`, { timeoutMs: Math.max(1_000, Math.min(probeMs, deadline - Date.now())) }).catch((e: unknown) => {
        if (e instanceof VmError && e.kind === 'Timeout' && Date.now() < deadline) return null;
        throw e;
      });
      if (a?.stdout === `${token}\n`) return;
    }
  }

  /** Runs a bash script in the guest. */
  exec(script: string, o: ExecOptions): Promise<AgentAnswer> {
    const run = this.chain.then(() => this.send(script, o));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private send(script: string, o: ExecOptions): Promise<AgentAnswer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = randomBytes(6).toString('hex');
    return new Promise<AgentAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new VmError('Timeout', `the test VM's agent gave no answer within ${o.timeoutMs} ms to: ${script.length > 120 ? `${script.slice(0, 120)}...` : script}`));
      }, o.timeoutMs);
      this.waiting.set(id, {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(encodeRequest({ id, timeoutS: guestTimeoutS(o.timeoutMs), script }));
    });
  }

  close(): void {
    this.closedWith ??= new VmError('Agent', 'the agent connection was closed by this process');
    this.socket.destroy();
  }
}
