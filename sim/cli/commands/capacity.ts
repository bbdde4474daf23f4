import { planCapacity } from '../../cinder/scheduler/capacity-plan.js';
import { World } from '../../engine/world.js';
import { capacityJson, renderCapacityText } from '../capacity/render.js';
import { shapeKeys, shapesOf } from '../capacity/shapes.js';
import { fromConfs, fromPools, fromScenario, parseVgSizes, type CapacityCloud } from '../capacity/sources.js';
import { defineCommand } from '../command.js';
import { parseConfFlags } from '../conf-layers.js';
import { UserError, type CliIo } from '../io.js';
import { seedFlag } from '../seed.js';
import { parseTypeFlag } from './conf.js';

/** The default --max: large enough for any real fleet, small enough to answer in seconds. */
export const DEFAULT_MAX = 1_000_000;

/**
 * `cinder-sim capacity`: how many more volumes of a shape fit, placed one
 * after another by Cinder's FilterScheduler (sim/cinder/scheduler/capacity-plan.ts).
 */
export const capacityCommand = defineCommand({
  command: 'capacity',
  describe: "How many more volumes fit, placed one by one as Cinder 2023.1's scheduler places them, and why the next one does not",
  builder: (y) =>
    y
      .option('pools', { type: 'string', describe: 'the cloud from a pool listing: `cinder get-pools --detail` output or `openstack volume backend pool list --long -f json`' })
      .option('scenario', { type: 'string', describe: "the cloud from a scenario file, run to --at with the simulator" })
      .option('at', { type: 'string', describe: "with --scenario: virtual time (e.g. 2h, 30m, 1d; default the scenario's end)" })
      .option('seed', { type: 'string', describe: "with --scenario: root seed (default the scenario's own)" })
      .option('conf', {
        type: 'string',
        array: true,
        describe: 'the cloud from cinder.conf, one value per node (the scheduler reads the first): FILE (a node named after the file) or NODE=FILE[,FILE|DIR...] (layers in --config-file order, later files win; a DIR is --config-dir); LVM backends on fake storage',
      })
      .option('conf-layer', { type: 'string', array: true, default: [] as string[], describe: 'with --conf: NODE=FILE[,FILE|DIR...], more layers on top of that node\'s (repeatable, in order)' })
      .option('vg-size', { type: 'string', array: true, default: [] as string[], describe: 'with --conf: BACKEND=GB or HOST@BACKEND=GB, a volume group size (default 1000, the fake driver\'s)' })
      .option('backend-az', { type: 'string', array: true, default: [] as string[], describe: 'with --pools: host@backend=zone (default zone nova)' })
      .option('type', { type: 'string', array: true, default: [] as string[], describe: 'with --pools or --conf: define a volume type, NAME or NAME:key=value[,key=value]' })
      .option('size', { type: 'number', describe: 'the request: volume size in GB, placed until No valid backend' })
      .option('volume-type', { type: 'string', describe: 'the request: a volume type (from the scenario at --at, or --type)' })
      .option('extra-spec', { type: 'string', array: true, default: [] as string[], describe: 'the request: volume type extra spec key=value (repeatable)' })
      .option('availability-zone', { type: 'string', describe: 'the request: availability zone' })
      .option('shape', { type: 'string', array: true, default: [] as string[], describe: `a mix placed first, in order (repeatable): ${Object.keys(shapeKeys).join(', ')}, e.g. size=100,type=thick,count=50` })
      .option('max', { type: 'number', default: DEFAULT_MAX, describe: 'at most this many placements per shape' })
      .option('json', { type: 'boolean', default: false, describe: 'print the JSON document instead of the text view' }),
  run(args, io) {
    const max = args.max;
    if (!Number.isInteger(max) || max < 1) throw new UserError(`--max: expected an integer >= 1, got ${String(max)}`);
    const cloud = cloudOf(args, io);
    const typesFrom = args.scenario !== undefined ? `the scenario has none at --at; create them in its setup` : 'define one with --type NAME:key=value';
    const shapes = shapesOf({ size: args.size, volumeType: args['volume-type'], extraSpecs: args['extra-spec'], availabilityZone: args['availability-zone'], shapes: args.shape }, cloud.types, typesFrom);
    const world = new World({ seed: '1' });
    const node = world.addNode('scheduler');
    const plan = planCapacity(cloud.case, shapes, { max }, { clock: node.clock, chanceRng: world.rng.stream('weigher:ChanceWeigher') });
    io.stdout(args.json ? JSON.stringify(capacityJson(cloud, plan), null, 2) + '\n' : renderCapacityText(cloud, plan));
    return 0;
  },
});

interface SourceArgs {
  pools?: string;
  scenario?: string;
  at?: string;
  seed?: string;
  conf?: string[];
  'conf-layer': string[];
  'vg-size': string[];
  'backend-az': string[];
  type: string[];
}

function cloudOf(args: SourceArgs, io: CliIo): CapacityCloud {
  const given = [args.pools !== undefined ? '--pools' : null, args.scenario !== undefined ? '--scenario' : null, args.conf !== undefined ? '--conf' : null].filter((x) => x !== null);
  if (given.length !== 1) throw new UserError(`capacity: give the cloud with exactly one of --pools LISTING, --scenario FILE [--at T], --conf FILE...${given.length ? ` (got ${given.join(' and ')})` : ''}`);
  const only = (flag: string, ok: boolean): void => {
    if (!ok) throw new UserError(`capacity: ${flag} goes with ${flag === '--at' || flag === '--seed' ? '--scenario' : flag === '--vg-size' || flag === '--conf-layer' ? '--conf' : flag === '--backend-az' ? '--pools' : '--pools or --conf'}`);
  };
  only('--at', args.at === undefined || args.scenario !== undefined);
  only('--seed', args.seed === undefined || args.scenario !== undefined);
  only('--vg-size', args['vg-size'].length === 0 || args.conf !== undefined);
  only('--conf-layer', args['conf-layer'].length === 0 || args.conf !== undefined);
  only('--backend-az', args['backend-az'].length === 0 || args.pools !== undefined);
  only('--type', args.type.length === 0 || args.scenario === undefined);
  const types = new Map(args.type.map((t) => parseTypeFlag(t)).map((t) => [t.name, t.extra_specs]));
  if (args.pools !== undefined) {
    const zones = new Map<string, string>();
    for (const spec of args['backend-az']) {
      const at = spec.lastIndexOf('=');
      if (at <= 0) throw new UserError(`--backend-az: expected host@backend=zone, got '${spec}'`);
      zones.set(spec.slice(0, at), spec.slice(at + 1));
    }
    return fromPools(args.pools, zones, types, io);
  }
  if (args.scenario !== undefined) return fromScenario(args.scenario, args.at, args.seed === undefined ? undefined : seedFlag(args.seed), io);
  const conf = args.conf!;
  if (conf.length === 0) throw new UserError('--conf: name one or more cinder.conf files');
  const flags = ['--conf', ...conf, ...args['conf-layer'].map((l) => `--conf-layer ${l}`)];
  return fromConfs(parseConfFlags(conf, args['conf-layer']), flags, parseVgSizes(args['vg-size']), types, io);
}
