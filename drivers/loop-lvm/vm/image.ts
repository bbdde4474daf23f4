/**
 * The test VM's image: an mmdebstrap root file system packed as the
 * initramfs, plus the Debian cloud kernel taken from its package (apt-get
 * download + dpkg-deb -x: nothing is installed on the host).  No disk
 * image, no loop mount.  The image is cached under the state root, keyed by
 * everything that goes into it; a build with the same inputs is skipped.
 *
 * The key, the mmdebstrap argv and the parsers of apt's answers are pure;
 * `imageInputs` reads the machine, `buildImage` runs the build.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { guestFiles, guestModules, guestPackages } from './guest.js';
import { imagePaths, imagesDir, type ImagePaths } from './paths.js';
import { mirrorLines, type AptSource } from './sources.js';

/** Bumped when the build's steps change in a way the other inputs do not show. */
export const imageFormat = 3;

/** The metapackage whose dependency names the current cloud kernel. */
export const kernelMetapackage = 'linux-image-cloud-amd64';

export interface ImageInputs {
  codename: string;
  sources: AptSource[];
  /** Per source suite, the Date: of its InRelease in apt's lists (package versions move with it). */
  releaseDates: Record<string, string>;
  kernelPackage: string;
  kernelVersion: string;
}

/** What the key hashes: the inputs plus every file and list the build writes. */
export function imageKey(i: ImageInputs): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      format: imageFormat,
      codename: i.codename,
      mirrors: mirrorLines(i.sources),
      releaseDates: Object.entries(i.releaseDates).sort(([a], [b]) => a.localeCompare(b)),
      kernel: `${i.kernelPackage}=${i.kernelVersion}`,
      packages: guestPackages,
      modules: guestModules,
      files: guestFiles(),
    }),
  );
  return h.digest('hex').slice(0, 16);
}

/** Docs, manuals and translations are left out: the VM boots faster the smaller its initramfs. */
export const excludedPaths = ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*', '/usr/share/lintian/*'] as const;

export function mmdebstrapArgv(i: ImageInputs, rootDir: string): string[] {
  return [
    'mmdebstrap',
    '--variant=minbase',
    `--include=${guestPackages.join(',')}`,
    ...excludedPaths.map((p) => `--dpkgopt=path-exclude=${p}`),
    '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    i.codename,
    rootDir,
    ...mirrorLines(i.sources),
  ];
}

/** `apt-cache depends <meta>`: the first `Depends: linux-image-...` line. */
export function parseKernelDepends(text: string): string | null {
  const m = /^\s*Depends:\s*(linux-image-[0-9][^\s<>]*)\s*$/m.exec(text);
  return m ? m[1]! : null;
}

/** `apt-cache show --no-all-versions <pkg>`: its Version. */
export function parseVersion(text: string): string | null {
  const m = /^Version:\s*(\S+)\s*$/m.exec(text);
  return m ? m[1]! : null;
}

/** A kernel package's module directory name: linux-image-6.1.0-57-cloud-amd64 -> 6.1.0-57-cloud-amd64. */
export function kernelRelease(pkg: string): string {
  return pkg.replace(/^linux-image-/, '');
}

/** apt's list file name for a source's InRelease (apt writes the URI without its scheme, `/` as `_`). */
export function inReleaseFile(s: AptSource): string {
  const host = s.uri.replace(/^[a-z+]+:\/\//, '').replace(/\/+$/, '');
  return `${host}/dists/${s.suite}/InRelease`.replace(/\//g, '_');
}

/** The `Date:` field of an InRelease file's text. */
export function parseReleaseDate(text: string): string | null {
  const m = /^Date:\s*(.+)$/m.exec(text);
  return m ? m[1]!.trim() : null;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function releaseDates(sources: readonly AptSource[], listsDir = '/var/lib/apt/lists'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sources) {
    const text = readText(`${listsDir}/${inReleaseFile(s)}`);
    out[`${s.uri} ${s.suite}`] = (text === null ? null : parseReleaseDate(text)) ?? 'unknown';
  }
  return out;
}

/** Cached images under `root`, by key. */
export function cachedImages(root: string): { key: string; paths: ImagePaths }[] {
  let names: string[];
  try {
    names = readdirSync(imagesDir(root));
  } catch {
    return [];
  }
  return names
    .filter((n) => /^[0-9a-f]{16}$/.test(n))
    .map((key) => ({ key, paths: imagePaths(root, key) }))
    .filter((x) => existsSync(x.paths.manifest) && existsSync(x.paths.kernel) && existsSync(x.paths.initrd));
}

/** Written beside the kernel and initrd once a build is complete. */
export interface ImageManifest {
  key: string;
  codename: string;
  mirrors: string[];
  kernelPackage: string;
  kernelVersion: string;
  packages: readonly string[];
  initrdBytes: number;
  rootfsBytes: number;
  /** Wall time of each build step, milliseconds. */
  buildMs: Record<string, number>;
}

export function readManifest(p: ImagePaths): ImageManifest | null {
  const text = readText(p.manifest);
  if (text === null) return null;
  try {
    return JSON.parse(text) as ImageManifest;
  } catch {
    return null;
  }
}

