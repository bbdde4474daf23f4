/**
 * The agent's wire format, both directions, as pure functions.  Under TCG
 * every process the guest starts costs 100-250 ms, so the agent (bash)
 * starts none of its own: payloads travel raw with their byte length, which
 * bash can read (`read -N`) and measure (`${#var}` in the C locale) without
 * a helper.
 *
 *   host:  CSVM <id> <timeout s> <script bytes>\n<script>
 *   guest: CSVM-BEGIN <id> <exit code> <stdout bytes> <stderr bytes>\n<stdout><stderr>\nCSVM-END <id>\n
 *
 * The id lets the reader drop an answer nobody waits for any more (a
 * request that timed out on the host); the trailer lets it notice a frame
 * cut short (a reconnect) and find the next header.  NUL bytes cannot
 * travel (bash strings cannot hold them): a script must not contain one,
 * and the guest drops them from output.
 */

export const frame = {
  request: 'CSVM',
  begin: 'CSVM-BEGIN',
  end: 'CSVM-END',
} as const;

export interface AgentRequest {
  id: string;
  /** The guest kills the script after this many seconds (exit code 137). */
  timeoutS: number;
  script: string;
}

export interface AgentAnswer {
  id: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

const idPattern = /^[a-z0-9]{1,32}$/;

export function encodeRequest(r: AgentRequest): Buffer {
  if (!idPattern.test(r.id)) throw new Error(`agent request id "${r.id}" is not 1-32 of a-z, 0-9`);
  if (!(Number.isInteger(r.timeoutS) && r.timeoutS > 0)) throw new Error(`agent timeout ${r.timeoutS} s is not a positive whole number`);
  if (r.script.includes('\0')) throw new Error('an agent script cannot contain a NUL byte');
  const body = Buffer.from(r.script, 'utf8');
  return Buffer.concat([Buffer.from(`${frame.request} ${r.id} ${r.timeoutS} ${body.length}\n`), body]);
}

const beginTag = Buffer.from(`${frame.begin} `);
const header = /^CSVM-BEGIN ([a-z0-9]{1,32}) (\d{1,3}) (\d{1,10}) (\d{1,10})$/;

/** Answers larger than this are taken for a corrupt header. */
const maxBody = 256 * 2 ** 20;

/**
 * Reassembles answers from a byte stream cut anywhere.  Lines outside a
 * frame (noise, the tail of a frame cut by a reconnect) are dropped; a
 * frame whose trailer does not follow its body is dropped and the reader
 * looks for the next header.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  private body: { id: string; exitCode: number; out: number; err: number } | null = null;

  /** What was dropped, latest last (for diagnostics). */
  readonly dropped: string[] = [];

  push(chunk: Buffer | string): AgentAnswer[] {
    this.buf = Buffer.concat([this.buf, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk]);
    const out: AgentAnswer[] = [];
    for (;;) {
      const a = this.step();
      if (a === 'more') return out;
      if (a !== null) out.push(a);
    }
  }

  private drop(what: string): void {
    if (this.dropped.length >= 20) this.dropped.shift();
    this.dropped.push(what.length > 200 ? `${what.slice(0, 200)}...` : what);
  }

  /** One step: an answer, null (progress, nothing to hand out), or 'more' (needs more bytes). */
  private step(): AgentAnswer | null | 'more' {
    const b = this.body;
    if (b === null) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) return 'more';
      // A header glued to the tail of something cut short: start at the header.
      const at = this.buf.indexOf(beginTag);
      if (at > 0 && at < nl) {
        this.drop(this.buf.subarray(0, at).toString('utf8'));
        this.buf = this.buf.subarray(at);
        return null;
      }
      const line = this.buf.subarray(0, nl).toString('utf8');
      this.buf = this.buf.subarray(nl + 1);
      const m = header.exec(line);
      if (m && Number(m[3]) + Number(m[4]) <= maxBody) this.body = { id: m[1]!, exitCode: Number(m[2]), out: Number(m[3]), err: Number(m[4]) };
      else if (line !== '') this.drop(line);
      return null;
    }
    const trailer = Buffer.from(`\n${frame.end} ${b.id}\n`);
    const need = b.out + b.err + trailer.length;
    if (this.buf.length < need) return 'more';
    const got = this.buf.subarray(b.out + b.err, need);
    this.body = null;
    if (!got.equals(trailer)) {
      // Cut short: read on from the body's first byte, looking for the next header.
      this.drop(`${frame.begin} ${b.id} (no trailer where the lengths put it)`);
      return null;
    }
    const a: AgentAnswer = {
      id: b.id,
      exitCode: b.exitCode,
      stdout: this.buf.subarray(0, b.out).toString('utf8'),
      stderr: this.buf.subarray(b.out, b.out + b.err).toString('utf8'),
    };
    this.buf = this.buf.subarray(need);
    return a;
  }
}

/** A shell word that means exactly `s` (POSIX single quotes). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The shell line that runs `argv` with `env` added, as execa runs it
 * locally: no shell interpretation of any word, `LC_ALL=C` as the local
 * runner sets it.  Assignments before `exec` go into the program's
 * environment, and `exec` replaces the shell: one process, as locally.
 */
/** `NAME=value` words that, before a command, put `env` into its environment (plus `LC_ALL=C`). */
export function assignments(env: Readonly<Record<string, string>> = {}): string[] {
  return Object.entries({ LC_ALL: 'C', ...env }).map(([k, v]) => {
    if (!envName.test(k)) throw new Error(`environment variable name "${k}" is not a shell name`);
    return `${k}=${shellQuote(v)}`;
  });
}

export function commandLine(argv: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  if (argv.length === 0) throw new Error('empty argv');
  return [...assignments(env), 'exec', ...argv.map(shellQuote)].join(' ');
}
