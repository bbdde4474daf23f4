/**
 * The machine's configured Debian package sources, read as apt reads them
 * (`/etc/apt/sources.list`, `/etc/apt/sources.list.d/*.list` one-line
 * entries, `*.sources` deb822 stanzas), so the image is built from the
 * mirror this machine already uses: no mirror is ever written in our code.
 * Parsing is pure; reading the files is `readAptSources`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AptSource {
  /** The file it came from, for messages. */
  file: string;
  uri: string;
  suite: string;
  components: string[];
  signedBy: string | null;
}

export class SourcesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourcesError';
  }
}

/** `deb [opt=v ...] uri suite comp...` lines; deb-src and comments are skipped. */
export function parseOneLine(file: string, text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const m = /^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m || m[1] !== 'deb') continue;
    const opts = (m[2] ?? '').trim().split(/\s+/).filter((o) => o !== '');
    const signed = opts.find((o) => o.startsWith('signed-by='));
    const archOk = opts.every((o) => !o.startsWith('arch=') || o.slice(5).split(',').includes('amd64'));
    if (!archOk) continue;
    out.push({ file, uri: m[3]!, suite: m[4]!, components: m[5]!.split(/\s+/).filter((c) => c !== ''), signedBy: signed === undefined ? null : signed.slice('signed-by='.length) });
  }
  return out;
}

/** deb822 stanzas (`Types: deb`, `URIs`, `Suites`, `Components`, `Signed-By`, `Enabled`). */
export function parseDeb822(file: string, text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | null = null;
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last !== null) {
        fields.set(last, `${fields.get(last) ?? ''}\n${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (!m) continue;
      last = m[1]!.toLowerCase();
      fields.set(last, m[2]!.trim());
    }
    const words = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter((w) => w !== '');
    if (!words('types').includes('deb') || (fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const archs = words('architectures');
    if (archs.length > 0 && !archs.includes('amd64')) continue;
    const signed = fields.get('signed-by');
    // An inline key (a multi-line Signed-By) cannot be handed on as a path: the default keyrings apply then.
    const signedBy = signed !== undefined && !signed.includes('\n') && signed.startsWith('/') ? signed : null;
    for (const uri of words('uris')) {
      for (const suite of words('suites')) out.push({ file, uri, suite, components: words('components'), signedBy });
    }
  }
  return out;
}

/**
 * The entries the image is built from: those of this Debian release
 * (`<codename>`, `<codename>-updates`, `<codename>-security`, ...), the
 * release's own suite first.  Third-party repositories (other suite names)
 * are left out: the image needs Debian's packages only.
 */
export function releaseSources(all: readonly AptSource[], codename: string): AptSource[] {
  const ours = all.filter((s) => s.suite === codename || s.suite.startsWith(`${codename}-`));
  const main = ours.filter((s) => s.suite === codename);
  if (main.length === 0) {
    const seen = [...new Set(all.map((s) => `${s.uri} ${s.suite} (${s.file})`))];
    throw new SourcesError(
      `no apt source for Debian ${codename} in this machine's package sources (/etc/apt/sources.list, /etc/apt/sources.list.d/*.list|*.sources)${seen.length > 0 ? `; found: ${seen.join('; ')}` : '; found none'}`,
    );
  }
  return [...main, ...ours.filter((s) => s.suite !== codename)];
}

/** mmdebstrap's mirror arguments: one sources.list line each. */
export function mirrorLines(sources: readonly AptSource[]): string[] {
  return sources.map((s) => `deb ${s.signedBy === null ? '' : `[signed-by=${s.signedBy}] `}${s.uri} ${s.suite} ${s.components.join(' ')}`);
}

/** `VERSION_CODENAME=` of /etc/os-release. */
export function parseCodename(osRelease: string): string | null {
  const m = /^VERSION_CODENAME="?([a-z]+)"?$/m.exec(osRelease);
  return m ? m[1]! : null;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Every enabled source apt would read under `etc` (only `*.list` and `*.sources`: apt ignores other names). */
export function readAptSources(etc = '/etc/apt'): AptSource[] {
  const out: AptSource[] = [];
  const main = readText(join(etc, 'sources.list'));
  if (main !== null) out.push(...parseOneLine(join(etc, 'sources.list'), main));
  const names = ((): string[] => {
    try {
      return readdirSync(join(etc, 'sources.list.d')).sort();
    } catch {
      return [];
    }
  })();
  for (const n of names) {
    const path = join(etc, 'sources.list.d', n);
    const text = readText(path);
    if (text === null) continue;
    if (n.endsWith('.list')) out.push(...parseOneLine(path, text));
    else if (n.endsWith('.sources')) out.push(...parseDeb822(path, text));
  }
  return out;
}

/** This machine's Debian codename, from /etc/os-release. */
export function hostCodename(osReleasePath = '/etc/os-release'): string {
  const text = readText(osReleasePath);
  const c = text === null ? null : parseCodename(text);
  if (c === null) throw new SourcesError(`cannot tell this machine's Debian release: no VERSION_CODENAME in ${osReleasePath}; the test VM is built from Debian packages`);
  return c;
}
