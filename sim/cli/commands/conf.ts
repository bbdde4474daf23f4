import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sortFindings } from '../../cinder/config/findings.js';
import { hasErrors, lintProvisioning, lintVolumeTypes, loadCinderConf, type IniFile, type VolumeTypeSpec } from '../../cinder/config/index.js';
import { confJson, renderConfText } from '../../cinder/config/render.js';
import { schedulerClasses } from '../../cinder/scheduler/index.js';
import { defineCommand } from '../command.js';
import { expandLayer } from '../conf-layers.js';
import { UserError, type CliIo } from '../io.js';

/** Cinder's sample_default for `host`: output never carries the real machine's name. */
const DEFAULT_HOSTNAME = 'localhost';

function readFiles(paths: readonly string[], io: CliIo): IniFile[] {
  const problems: string[] = [];
  const files: IniFile[] = [];
  for (const path of paths.flatMap((p) => expandLayer(p, io))) {
    try {
      files.push({ path, text: readFileSync(resolve(io.cwd, path), 'utf8') });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
      problems.push(`cannot read ${path}: ${why}`);
    }
  }
  if (problems.length > 0) throw new UserError(problems.join('\n'));
  return files;
}

const TYPE_SYNTAX = 'NAME or NAME:key=value[,key=value...], e.g. sata:volume_backend_name=sata';

/** `--type sata:volume_backend_name=sata`: what `cinder type-create` and `type-key set` would make. */
export function parseTypeFlag(flag: string): VolumeTypeSpec {
  const colon = flag.indexOf(':');
  const name = (colon < 0 ? flag : flag.slice(0, colon)).trim();
  if (name === '') throw new UserError(`--type '${flag}': the type has no name; expected ${TYPE_SYNTAX}`);
  const extra_specs: Record<string, string> = {};
  if (colon >= 0) {
    for (const pair of flag.slice(colon + 1).split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UserError(`--type '${flag}': '${pair}' is not key=value; expected ${TYPE_SYNTAX}`);
      extra_specs[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  return { name, extra_specs };
}

export const confCommand = defineCommand({
  command: 'conf <files..>',
  describe: 'Show what Cinder 2023.1 derives from cinder.conf files (services, options, lint); exit 2 on errors',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'cinder.conf files in --config-file order, later files overriding earlier ones option by option; a directory stands for --config-dir (its *.conf, sorted by name)' })
      .option('host', { type: 'string', default: DEFAULT_HOSTNAME, describe: "stands for the machine's hostname where the files set no host" })
      .option('type', { type: 'string', array: true, default: [] as string[], describe: `volume types to check against the backends (repeatable): ${TYPE_SYNTAX}` })
      .option('json', { type: 'boolean', default: false, describe: 'print the JSON document instead of the text view' }),
  run(args, io) {
    const host = String(args.host);
    if (host.trim() === '') throw new UserError('--host: give a non-empty name (it stands for the machine hostname)');
    const types = args.type.map((t) => parseTypeFlag(String(t)));
    const loaded = loadCinderConf(readFiles(args.files.map(String), io), { host, schedulerClasses });
    // Beyond what loading finds: the types against the backends, and the provisioning surprises (lvm_type auto at ratio 20.0).
    const more = [...(types.length === 0 ? [] : lintVolumeTypes(loaded, types)), ...lintProvisioning(loaded)];
    const conf = { ...loaded, findings: sortFindings([...loaded.findings, ...more], loaded.files) };
    io.stdout(args.json ? JSON.stringify(confJson(conf), null, 2) + '\n' : renderConfText(conf));
    return hasErrors(conf.findings) ? 2 : 0;
  },
});
