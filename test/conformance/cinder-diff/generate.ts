import type { Rng } from '../../../sim/ports/rng.js';

/**
 * Random scheduler cases (docs/case-format.md) for the differential test
 * against the real Cinder.  Values are drawn from small pools that sit on the
 * rules' edges (reserved 100, ratio < 1, 'auto', infinite/unknown, free
 * larger than total, exact fits), so a few hundred cases cover them all.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

const AZS = ['nova', 'az1', 'az2'];
const PROTOCOLS = ['iSCSI', 'iscsi', 'FC', 'fc', 'fibre_channel', 'NFS', 'nvmeof', 'NVMe-oF', 'ceph', 'RBD'];
const TIERS = ['gold', 'silver', 'bronze', 'Gold', 'gold plus'];
const VENDORS = ['Open Source', 'Acme', 'NetApp', ''];
const WEIGHERS = ['CapacityWeigher', 'AllocatedCapacityWeigher', 'VolumeNumberWeigher', 'GoodnessWeigher'];
const MULTIPLIERS = [1, -1, 0, 2.5, -0.5, 1e-3];
const FILTER_FUNCTIONS = [
  'volume.size < 200', 'capabilities.total_capacity_gb > 500', 'stats.free_capacity_gb >= volume.size * 2', 'true', 'volume.size % 2 == 0',
  'capabilities.iops > 7', "capabilities.tier == 'gold'", "stats.storage_protocol == 'iSCSI'", 'capabilities.multiattach', 'capabilities.nested > 1',
  "extra.tier == 'gold'", 'qos.maxIOPS > 10', 'stats.total_capacity_gb / stats.free_capacity_gb < 4', 'not capabilities.thin_provisioning_support',
  'volume.size > 10 and (stats.reserved_percentage < 20 or capabilities.QoS_support)', 'max(volume.size, 100) <= min(stats.free_capacity_gb, 800)',
  'stats.volume_backend_name == capabilities.volume_backend_name', 'volume.size <', 'abs(-volume.size) != 5 && !(volume.size == 1)',
];
const GOODNESS_FUNCTIONS = [
  '50', 'capabilities.free_capacity_gb / 10', 'volume.size > 100 ? 100 : 25', '(stats.allocated_capacity_gb + 1) % 101', '120',
  '-5', 'stats.free_capacity_gb / stats.total_capacity_gb * 100', 'capabilities.iops / 100', 'capabilities.multiattach * 60',
  "capabilities.tier == 'gold' ? 90 : 10", 'stats.reserved_percentage ^ 2', '100 - stats.reserved_percentage', 'extra.weight',
  '33.7', 'capabilities.nested',
];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(0, xs.length - 1)]!;
}

function capacityGb(rng: Rng): JsonValue {
  return rng.weighted<() => JsonValue>([
    { value: () => rng.int(0, 5000), weight: 6 },
    { value: () => Math.round(rng.uniform(0, 3000) * 100) / 100, weight: 2 },
    { value: () => pick(rng, [0, 1, 10, 100, 1000, 0.01, 1e15]), weight: 2 },
    { value: () => 'infinite', weight: 1 },
    { value: () => 'unknown', weight: 1 },
  ])();
}

function ratioValue(rng: Rng): JsonValue | undefined {
  return rng.weighted<JsonValue | undefined>([
    { value: undefined, weight: 3 },
    { value: 1.0, weight: 1 },
    { value: 1.5, weight: 2 },
    { value: 20.0, weight: 1 },
    { value: '2.0', weight: 1 },
    { value: ' 3.5 ', weight: 1 },
    { value: 'auto', weight: 2 },
    { value: 0.5, weight: 1 },
    { value: null, weight: 1 },
    { value: 0, weight: 1 },
  ]);
}

/** The capacity keys and custom capabilities of one pool (or one legacy backend). */
function poolCaps(rng: Rng): JsonObject {
  const caps: JsonObject = {};
  const set = (k: string, v: JsonValue | undefined, p = 0.9): void => {
    if (v !== undefined && rng.chance(p)) caps[k] = v;
  };
  const total = capacityGb(rng);
  set('total_capacity_gb', total, 0.95);
  const free = rng.weighted<() => JsonValue>([
    { value: () => (typeof total === 'number' ? Math.max(0, total - rng.int(0, Math.max(1, Math.floor(total)))) : rng.int(0, 2000)), weight: 6 },
    { value: () => capacityGb(rng), weight: 2 },
    { value: () => (typeof total === 'number' ? total + rng.int(1, 50) : 5), weight: 1 },
    { value: () => null, weight: 0.3 },
  ])();
  set('free_capacity_gb', free, 0.95);
  const allocated = rng.int(0, 3000);
  set('allocated_capacity_gb', allocated, 0.85);
  set('provisioned_capacity_gb', rng.chance(0.5) ? allocated + rng.int(0, 4000) : rng.int(0, 200), 0.6);
  set('reserved_percentage', pick(rng, [0, 0, 0, 5, 10, 12.5, 15, 50, 99, 100]), 0.8);
  set('thin_provisioning_support', rng.weighted<JsonValue>([{ value: true, weight: 5 }, { value: false, weight: 4 }, { value: 'False', weight: 0.5 }]), 0.85);
  set('thick_provisioning_support', rng.chance(0.5), 0.6);
  set('max_over_subscription_ratio', ratioValue(rng), 1);
  set('multiattach', rng.chance(0.5), 0.5);
  set('online_extend_support', rng.chance(0.6), 0.5);
  set('QoS_support', rng.weighted<JsonValue>([{ value: true, weight: 2 }, { value: false, weight: 2 }, { value: 'True', weight: 1 }]), 0.5);
  set('tier', pick(rng, TIERS), 0.6);
  set('iops', pick<JsonValue>(rng, [1000, 3000, 25000, '3000', 7.5]), 0.5);
  set('nested', { raid: pick(rng, ['r1', 'r5', 'r10']), disks: rng.int(2, 24) }, 0.3);
  set('compression', pick<JsonValue>(rng, ['<is> True', 'yes', 'off', true]), 0.3);
  return caps;
}

function backend(rng: Rng, i: number): JsonObject {
  const host = `h${i}@b${i}`;
  const b: JsonObject = { host, availability_zone: pick(rng, AZS) };
  if (rng.chance(0.08)) b['service_up'] = false;
  if (rng.chance(0.05)) b['disabled'] = true;
  if (rng.chance(0.03)) b['frozen'] = true;
  if (rng.chance(0.05)) {
    b['capabilities'] = null;
    return b;
  }
  const caps: JsonObject = {};
  const nameDraw = rng.weighted<JsonValue | undefined>([
    { value: `b${i}`, weight: 6 },
    { value: undefined, weight: 1 },
    { value: null, weight: 0.5 },
    { value: '', weight: 0.5 },
    { value: 'shared', weight: 1 },
  ]);
  if (nameDraw !== undefined) caps['volume_backend_name'] = nameDraw;
  if (rng.chance(0.85)) caps['storage_protocol'] = pick(rng, PROTOCOLS);
  if (rng.chance(0.7)) caps['vendor_name'] = pick(rng, VENDORS);
  if (rng.chance(0.6)) caps['driver_version'] = pick<JsonValue>(rng, ['1.0.0', '2.1', 3]);
  if (rng.chance(0.2)) caps['filter_function'] = pick(rng, FILTER_FUNCTIONS);
  if (rng.chance(0.2)) caps['goodness_function'] = pick(rng, GOODNESS_FUNCTIONS);
  const shape = rng.weighted([
    { value: 'legacy', weight: 5 },
    { value: 'pools', weight: 5 },
    { value: 'empty', weight: 0.3 },
  ]);
  if (shape === 'legacy') {
    Object.assign(caps, poolCaps(rng));
    if (rng.chance(0.5)) b['volume_count'] = rng.int(0, 30);
  } else if (shape === 'empty') {
    caps['pools'] = [];
  } else {
    if (rng.chance(0.3)) caps['multiattach'] = true;
    if (rng.chance(0.3)) caps['backend_only_key'] = 'x';
    const n = rng.int(1, 3);
    const pools: JsonValue[] = [];
    for (let p = 0; p < n; p++) {
      const pool: JsonObject = { pool_name: rng.chance(0.03) ? '' : rng.chance(0.04) ? 'p0' : `p${p}`, ...poolCaps(rng) };
      if (rng.chance(0.3)) pool['storage_protocol'] = rng.chance(0.1) ? ['iSCSI', 'FC'] : pick(rng, PROTOCOLS);
      if (rng.chance(0.2)) pool['volume_backend_name'] = pick<JsonValue>(rng, ['', `pb${p}`, 'shared']);
      if (rng.chance(0.1)) pool['filter_function'] = pick(rng, FILTER_FUNCTIONS);
      if (rng.chance(0.1)) pool['goodness_function'] = pick(rng, GOODNESS_FUNCTIONS);
      if (rng.chance(0.6)) pool['volume_count'] = rng.int(0, 30);
      pools.push(pool);
    }
    caps['pools'] = pools;
  }
  b['capabilities'] = caps;
  return b;
}

/** One extra spec (key, value) using one of extra_specs_ops' operators, or a plain value. */
function extraSpec(rng: Rng): [string, string] {
  const key = pick(rng, [
    'capabilities:tier', 'tier', 'iops', 'capabilities:iops', 'QoS_support', 'storage_protocol', 'vendor_name', 'volume_backend_name', 'capabilities:nested:raid',
    'nested:disks', 'multiattach', 'thin_provisioning_support', 'total_capacity_gb', 'free_capacity_gb', 'missing_key', 'capabilities:compression',
    'RESKEY:availability_zones', 'provisioning:type', 'capabilities:volume_backend_name', 'driver_version',
    'capabilities:', 'a:b:c', 'capabilities:storage_protocol', 'thick_provisioning_support', 'online_extend_support',
  ]);
  if (key === 'provisioning:type') return [key, pick(rng, ['thick', 'thin', 'Thick'])];
  const operand = (): string =>
    pick(rng, ['gold', 'silver', 'Gold', 'iSCSI', 'FC', 'nvmeof', 'Acme', 'Open', 'b1', 'shared', '3000', '1000', '100.5', '0', '1', 'True', 'False', 'yes', 'r10', 'inf', 'nan', '1_000', 'x', '2.1']);
  const op = rng.weighted<string>([
    { value: '', weight: 3 },
    { value: '=', weight: 1 },
    { value: '==', weight: 1 },
    { value: '!=', weight: 1 },
    { value: '>=', weight: 1 },
    { value: '<=', weight: 1 },
    { value: '<is>', weight: 1.5 },
    { value: '<in>', weight: 1 },
    { value: '<or>', weight: 1.5 },
    { value: 's==', weight: 1 },
    { value: 's!=', weight: 0.7 },
    { value: 's<', weight: 0.7 },
    { value: 's<=', weight: 0.7 },
    { value: 's>', weight: 0.7 },
    { value: 's>=', weight: 0.7 },
  ]);
  if (op === '') return [key, rng.chance(0.1) ? 'gold plus' : operand()];
  if (op === '<or>') {
    const alts = Array.from({ length: rng.int(1, 3) }, operand);
    return [key, rng.chance(0.03) ? '<or>' : alts.map((a) => `<or> ${a}`).join(' ')];
  }
  if (rng.chance(0.03)) return [key, op];
  return [key, rng.chance(0.05) ? `${op} ${operand()} ${operand()}` : `${op} ${operand()}`];
}

function volumeType(rng: Rng): JsonValue | undefined {
  if (rng.chance(0.25)) return rng.chance(0.5) ? undefined : null;
  const specs: JsonObject = {};
  for (let i = rng.int(0, 3); i > 0; i--) {
    const [k, v] = extraSpec(rng);
    specs[k] = v;
  }
  const name = pick(rng, ['sata', 'ssd', 'gold']);
  return rng.chance(0.05) ? { name } : { name, extra_specs: specs };
}

function poolHostsOf(backends: JsonObject[]): string[] {
  const out: string[] = [];
  for (const b of backends) {
    const caps = b['capabilities'] as JsonObject | null;
    if (caps === null) continue;
    const host = b['host'] as string;
    const pools = caps['pools'];
    if (Array.isArray(pools)) {
      for (const p of pools) out.push(poolHost(host, (p as JsonObject)['pool_name'] as string));
    } else {
      const name = caps['volume_backend_name'];
      out.push(poolHost(host, name === undefined || name === null ? '_pool0' : String(name)));
    }
  }
  return out;
}

function poolHost(host: string, pool: string): string {
  return pool ? `${host}#${pool}` : host;
}

function request(rng: Rng, backends: JsonObject[], operation: string): JsonObject {
  const r: JsonObject = { size: rng.weighted<() => number>([
    { value: () => rng.int(1, 500), weight: 6 },
    { value: () => rng.int(1, 5000) / 10, weight: 0.5 },
    { value: () => pick(rng, [0, 1, 10, 100, 1000]), weight: 2 },
    { value: () => rng.int(1000, 6000), weight: 1 },
  ])() };
  if (operation !== 'create_volume' || rng.chance(0.2)) r['operation'] = operation;
  if (rng.chance(0.4)) r['availability_zone'] = pick(rng, [...AZS, 'az9', '']);
  else if (rng.chance(0.1)) r['availability_zone'] = null;
  if (rng.chance(0.1)) r['availability_zones'] = rng.chance(0.1) ? [] : [pick(rng, AZS), pick(rng, AZS)];
  const vt = volumeType(rng);
  if (vt !== undefined) r['volume_type'] = vt;
  if (rng.chance(0.7)) r['volume_id'] = `vol-${rng.int(0, 9999)}`;
  else if (rng.chance(0.2)) r['volume_id'] = null;
  const hosts = poolHostsOf(backends);
  const someHost = (): string => {
    const h = hosts.length > 0 && rng.chance(0.85) ? pick(rng, hosts) : 'zz@nowhere#p0';
    return rng.chance(0.15) ? h.split('#')[0]! : h;
  };
  if (operation === 'create_volume' && rng.chance(0.08)) r['resource_backend'] = someHost();
  if (rng.chance(0.35)) r['scheduler_hints'] = schedulerHints(rng);
  if (operation === 'create_volume' && rng.chance(0.06)) {
    r['retry'] = { num_attempts: rng.int(0, 3), backends: hosts.length > 0 ? [pick(rng, hosts)] : [] };
  }
  if (operation === 'extend_volume') {
    r['host'] = someHost();
    r['new_size'] = (r['size'] as number) + rng.weighted<() => number>([{ value: () => rng.int(1, 300), weight: 5 }, { value: () => 0, weight: 0.5 }, { value: () => -rng.int(1, 5), weight: 0.3 }, { value: () => rng.int(1000, 5000), weight: 1 }])();
    r['attach_status'] = pick(rng, ['detached', 'attached', 'attached']);
  }
  if (operation === 'retype') {
    r['host'] = someHost();
    if (rng.chance(0.8)) r['migration_policy'] = pick(rng, ['never', 'on-demand']);
  }
  return r;
}

const UUIDS = ['0b6ac5e2-3c5a-4d0e-9d0c-1f6f3b3d2a11', '7e57d004-2b97-4e7a-b45f-5387367791cd', 'c2b1a8f0-0000-4000-8000-000000000003', 'dead-beef'];

/** Existing volumes and Nova instances the affinity and locality filters look up. */
function world(rng: Rng, backends: JsonObject[]): { volumes: JsonValue[]; instances: JsonValue[] } {
  const hosts = poolHostsOf(backends);
  const where = (): string => {
    const h = hosts.length > 0 ? pick(rng, hosts) : 'zz@nowhere#p0';
    return rng.weighted([{ value: h, weight: 4 }, { value: h.split('#')[0]!, weight: 1 }, { value: h.split('@')[0]!, weight: 0.5 }]);
  };
  return {
    volumes: UUIDS.slice(0, 3).filter(() => rng.chance(0.7)).map((id) => ({ id, host: where() })),
    instances: UUIDS.slice(0, 2).filter(() => rng.chance(0.7)).map((id) => ({ id, host: where().split('@')[0]! })),
  };
}

const JSON_QUERIES = [
  '[">=", "$free_capacity_gb", 500]',
  '["and", [">", "$total_capacity_gb", 100], ["<", "$allocated_capacity_gb", 2000]]',
  '["in", "$volume_backend_name", "b0", "b1", "shared"]',
  '["not", ["=", "$capabilities.tier", "gold"]]',
  '["or", ["=", "$thin_provisioning_support", true], ["<=", "$reserved_percentage", 10]]',
  '["=", "$capabilities.nested.raid", "r10"]',
];

function schedulerHints(rng: Rng): JsonObject {
  const uuid = (): JsonValue => pick(rng, UUIDS);
  const hints: JsonObject = {};
  if (rng.chance(0.4)) hints['same_host'] = rng.chance(0.6) ? [uuid()] : rng.chance(0.5) ? uuid() : [uuid(), uuid()];
  if (rng.chance(0.4)) hints['different_host'] = rng.chance(0.6) ? [uuid()] : rng.chance(0.5) ? uuid() : [];
  if (rng.chance(0.3)) hints['local_to_instance'] = rng.chance(0.9) ? pick(rng, UUIDS.slice(0, 3)) : 'not-a-uuid';
  if (rng.chance(0.4)) hints['query'] = pick(rng, JSON_QUERIES);
  return hints;
}

const HINT_FILTERS = ['SameBackendFilter', 'DifferentBackendFilter', 'InstanceLocalityFilter', 'JsonFilter'];

function config(rng: Rng): JsonObject | undefined {
  if (rng.chance(0.3)) return undefined;
  const c: JsonObject = {};
  if (rng.chance(0.3)) {
    c['filters'] = ['AvailabilityZoneFilter', 'CapacityFilter', ...HINT_FILTERS.filter(() => rng.chance(0.5)), 'CapabilitiesFilter'];
  } else if (rng.chance(0.2)) {
    const extra = pick(rng, ['DriverFilter', 'IgnoreAttemptedHostsFilter', 'CapacityFilter']);
    const base = ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'];
    const order = rng.chance(0.5) ? [...base, extra] : [extra, ...base.reverse()];
    c['filters'] = order;
  }
  if (rng.chance(0.6)) {
    const ws = WEIGHERS.filter(() => rng.chance(0.45));
    c['weighers'] = ws.length > 0 ? ws : ['CapacityWeigher'];
  }
  if (rng.chance(0.4)) c['capacity_weight_multiplier'] = pick(rng, MULTIPLIERS);
  if (rng.chance(0.3)) c['allocated_capacity_weight_multiplier'] = pick(rng, MULTIPLIERS);
  if (rng.chance(0.3)) c['volume_number_multiplier'] = pick(rng, MULTIPLIERS);
  if (rng.chance(0.3)) c['max_over_subscription_ratio'] = pick(rng, ['20.0', '1.5', 'auto', '3', '1.0']);
  if (rng.chance(0.05)) c['scheduler_max_attempts'] = pick(rng, [1, 2, 3]);
  return c;
}

/** One random case: a fleet of 1..6 backends and one request, or a sequence of 2..5. */
export function randomCase(rng: Rng, id: string): JsonObject {
  const backends = Array.from({ length: rng.chance(0.05) ? rng.int(7, 20) : rng.int(1, 6) }, (_, i) => backend(rng, i));
  const c: JsonObject = { id, backends };
  if (rng.chance(0.5)) Object.assign(c, world(rng, backends));
  // The harness's fake volume API matches volumes by host only, so clusters stay out of cases with volumes.
  else if (backends.length > 1 && rng.chance(0.15)) {
    for (const b of backends) if (rng.chance(0.5)) b['cluster_name'] = pick(rng, ['cl@shared', 'cl2@other']);
  }
  const cfg = config(rng);
  if (cfg !== undefined) c['config'] = cfg;
  const op = (): string => rng.weighted([
    { value: 'create_volume', weight: 6 },
    { value: 'extend_volume', weight: 2 },
    { value: 'retype', weight: 2 },
  ]);
  if (rng.chance(0.2)) c['requests'] = Array.from({ length: rng.int(2, 5) }, () => request(rng, backends, op()));
  else c['request'] = request(rng, backends, op());
  return c;
}

export function randomCases(rng: Rng, count: number): JsonObject[] {
  return Array.from({ length: count }, (_, i) => randomCase(rng.fork(String(i)), `random-${i}`));
}
