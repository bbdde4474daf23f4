/**
 * Building the test VM's image on this host (root: mmdebstrap's root mode
 * and chroot need it).  Steps, each timed: mmdebstrap from the machine's
 * Debian sources; the cloud kernel package downloaded and unpacked (its
 * modules pruned to what the VM loads and their dependencies); our /init,
 * agent and lvmlocal.conf; the root packed with cpio and zstd.  The build
 * happens in a scratch directory and is renamed into the cache when
 * complete, so an interrupted build never looks cached.
 */
import { execa } from 'execa';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VmError } from './errors.js';
import { guestFiles, guestModules, guestPackages } from './guest.js';
import {
  cachedImages,
  imageKey,
  kernelMetapackage,
  kernelRelease,
  mmdebstrapArgv,
  parseKernelDepends,
  parseVersion,
  readManifest,
  releaseDates,
  type ImageInputs,
  type ImageManifest,
} from './image.js';
import { imagePaths, imagesDir, type ImagePaths } from './paths.js';
import { hostCodename, mirrorLines, readAptSources, releaseSources, SourcesError } from './sources.js';

/** Each tool the build runs, and its Debian package. */
export const buildTools = { mmdebstrap: 'mmdebstrap', cpio: 'cpio', zstd: 'zstd', 'apt-get': 'apt', 'apt-cache': 'apt', 'dpkg-deb': 'dpkg', chroot: 'coreutils' } as const;

async function sh(argv: readonly string[], what: string, cwd?: string): Promise<string> {
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore', env: { LC_ALL: 'C' }, ...(cwd === undefined ? {} : { cwd }) });
  if (r.exitCode !== 0) {
    const err = String(r.stderr ?? '').trim().split('\n').slice(-8).join('\n  ');
    throw new VmError('Build', `${what} failed: \`${argv.join(' ')}\` exited ${String(r.exitCode ?? r.shortMessage)}${err === '' ? '' : `:\n  ${err}`}`);
  }
  return String(r.stdout ?? '');
}

export async function missingTools(tools: readonly string[]): Promise<string[]> {
  const r = await execa('sh', ['-c', 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done', 'sh', ...tools], { reject: false, stdin: 'ignore' });
  return String(r.stdout ?? '').split('\n').filter((l) => l !== '');
}

/** Reads what the image is made of from this machine: sources, their release dates, the current cloud kernel. */
export async function imageInputs(): Promise<ImageInputs> {
  let codename: string;
  let sources;
  try {
    codename = hostCodename();
    sources = releaseSources(readAptSources(), codename);
  } catch (e) {
    if (e instanceof SourcesError) throw new VmError('Preflight', e.message);
    throw e;
  }
  const depends = await sh(['apt-cache', 'depends', kernelMetapackage], `finding the kernel behind ${kernelMetapackage}`);
  const kernelPackage = parseKernelDepends(depends);
  if (kernelPackage === null) {
    throw new VmError('Preflight', `${kernelMetapackage} names no linux-image package in this machine's apt lists; run apt-get update`);
  }
  const kernelVersion = parseVersion(await sh(['apt-cache', 'show', '--no-all-versions', kernelPackage], `reading ${kernelPackage}'s version`));
  if (kernelVersion === null) throw new VmError('Preflight', `apt-cache shows no Version for ${kernelPackage}; run apt-get update`);
  return { codename, sources, releaseDates: releaseDates(sources), kernelPackage, kernelVersion };
}

export interface BuildResult {
  key: string;
  paths: ImagePaths;
  manifest: ImageManifest;
  cached: boolean;
}

function du(path: string): number {
  let total = 0;
  const walk = (p: string): void => {
    const s = lstatSync(p, { throwIfNoEntry: false });
    if (!s) return;
    if (s.isDirectory() && !s.isSymbolicLink()) for (const n of readdirSync(p)) walk(join(p, n));
    else if (s.isFile()) total += s.size;
  };
  walk(path);
  return total;
}

/**
 * The modules to keep: `modprobe --show-depends` (run in the new root
 * against the unpacked kernel) lists each wanted module's file and its
 * dependencies' files.
 */
export function parseShowDepends(text: string): string[] {
  return [...text.matchAll(/^insmod (\S+\.ko(?:\.[a-z]+)?)/gm)].map((m) => m[1]!);
}

function pruneModules(rootDir: string, release: string, keep: ReadonlySet<string>): void {
  const base = join(rootDir, 'usr/lib/modules', release, 'kernel');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.[a-z]+)?$/.test(e.name) && !keep.has(p.slice(rootDir.length))) rmSync(p);
    }
  };
  walk(base);
}

export interface BuildOptions {
  root: string;
  force?: boolean;
  /** Progress lines (a build takes about a minute). */
  progress?: (line: string) => void;
}

export async function buildImage(o: BuildOptions): Promise<BuildResult> {
  const say = o.progress ?? (() => undefined);
  if (process.getuid?.() !== 0) throw new VmError('Preflight', 'building the test VM image needs root (mmdebstrap in root mode, chroot); run it as root');
  const missing = await missingTools(Object.keys(buildTools));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => buildTools[t as keyof typeof buildTools]))];
    throw new VmError('Preflight', `building the test VM needs ${missing.join(', ')}, not found on PATH; install them: apt-get install -y --no-install-recommends ${pkgs.join(' ')}`);
  }
  const inputs = await imageInputs();
  const key = imageKey(inputs);
  const paths = imagePaths(o.root, key);
  const cached = readManifest(paths);
  if (cached !== null && !o.force && existsSync(paths.kernel) && existsSync(paths.initrd)) {
    return { key, paths, manifest: cached, cached: true };
  }

  const work = join(imagesDir(o.root), `.build-${key}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const rootDir = join(work, 'root');
  const out = join(work, 'image');
  mkdirSync(out);
  const ms: Record<string, number> = {};
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    ms[name] = Math.round(performance.now() - t0);
    say(`${name}: ${(ms[name] / 1000).toFixed(1)} s`);
    return r;
  };
  try {
    say(`building the test VM image ${key}: Debian ${inputs.codename} from ${inputs.sources.map((s) => `${s.uri} ${s.suite}`).join(', ')}; kernel ${inputs.kernelPackage} ${inputs.kernelVersion}`);
    await step('mmdebstrap', () => sh(mmdebstrapArgv(inputs, rootDir), 'mmdebstrap'));
    const release = kernelRelease(inputs.kernelPackage);
    await step('kernel', async () => {
      // apt-get download as root writes where _apt cannot read; the sandbox user is root for this one call.
      await sh(['apt-get', '-o', 'APT::Sandbox::User=root', 'download', `${inputs.kernelPackage}=${inputs.kernelVersion}`], `downloading ${inputs.kernelPackage}`, work);
      const deb = readdirSync(work).find((n) => n.startsWith(`${inputs.kernelPackage}_`) && n.endsWith('.deb'));
      if (deb === undefined) throw new VmError('Build', `apt-get download left no ${inputs.kernelPackage}_*.deb in ${work}`);
      const kdir = join(work, 'kernel');
      await sh(['dpkg-deb', '-x', join(work, deb), kdir], `unpacking ${deb}`);
      renameSync(join(kdir, 'boot', `vmlinuz-${release}`), join(out, 'vmlinuz'));
      mkdirSync(join(rootDir, 'usr/lib/modules'), { recursive: true });
      renameSync(join(kdir, 'lib/modules', release), join(rootDir, 'usr/lib/modules', release));
      await sh(['chroot', rootDir, 'depmod', release], 'depmod (all modules)');
      const deps = await sh(['chroot', rootDir, 'modprobe', '-S', release, '--show-depends', '-a', ...guestModules], 'resolving module dependencies');
      pruneModules(rootDir, release, new Set(parseShowDepends(deps).map((p) => p.replace(/^\/lib\//, '/usr/lib/'))));
      await sh(['chroot', rootDir, 'depmod', release], 'depmod (kept modules)');
    });
    await step('files', async () => {
      for (const f of guestFiles()) {
        const p = join(rootDir, f.path);
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, f.text);
        chmodSync(p, f.mode);
      }
      for (const d of ['var/cache/apt', 'var/lib/apt/lists']) {
        for (const n of readdirSync(join(rootDir, d))) if (n !== 'partial' && n !== 'lock') rmSync(join(rootDir, d, n), { recursive: true, force: true });
      }
    });
    const rootfsBytes = du(rootDir);
    await step('pack', () =>
      sh(['sh', '-c', 'cd "$1" && find . -print0 | cpio --null -o -H newc --quiet | zstd -3 -T0 -q -o "$2"', 'sh', rootDir, join(out, 'initrd.img')], 'packing the initramfs'),
    );
    const manifest: ImageManifest = {
      key,
      codename: inputs.codename,
      mirrors: mirrorLines(inputs.sources),
      kernelPackage: inputs.kernelPackage,
      kernelVersion: inputs.kernelVersion,
      packages: guestPackages,
      initrdBytes: statSync(join(out, 'initrd.img')).size,
      rootfsBytes,
      buildMs: ms,
    };
    writeFileSync(join(out, 'image.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(paths.dir, { recursive: true, force: true });
    renameSync(out, paths.dir);
    // Older images are of no use once this one exists (a running VM keeps its open files).
    for (const old of cachedImages(o.root)) if (old.key !== key) rmSync(old.paths.dir, { recursive: true, force: true });
    return { key, paths, manifest, cached: false };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The cached image for this machine's current inputs, or null. */
export async function currentImage(root: string): Promise<BuildResult | null> {
  const key = imageKey(await imageInputs());
  const paths = imagePaths(root, key);
  const manifest = readManifest(paths);
  return manifest !== null && existsSync(paths.kernel) && existsSync(paths.initrd) ? { key, paths, manifest, cached: true } : null;
}
