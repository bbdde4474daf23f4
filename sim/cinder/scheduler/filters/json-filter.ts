import type { PoolState } from '../host-manager.js';
import { capacityJson } from '../capacity.js';
import { isDict, pyCompare, pyEquals, PyError, pyRepr, pyTruthy, type Json } from '../python.js';
import { PASS, type BackendFilter } from '../types.js';

type Command = (args: Json[]) => Json;

function compareAll(args: Json[], test: (a: Json, b: Json) => boolean): boolean {
  if (args.length < 2) return false;
  return args.slice(1).every((b) => test(args[0]!, b));
}

const commands: Record<string, Command> = {
  '=': (a) => compareAll(a, pyEquals),
  '<': (a) => compareAll(a, (x, y) => pyCompare(x, y, '<')),
  '>': (a) => compareAll(a, (x, y) => pyCompare(x, y, '>')),
  in: (a) => a.length >= 2 && a.slice(1).some((x) => pyEquals(x, a[0])),
  '<=': (a) => compareAll(a, (x, y) => pyCompare(x, y, '<=')),
  '>=': (a) => compareAll(a, (x, y) => pyCompare(x, y, '>=')),
  not: (a) => a.map((x) => !pyTruthy(x)),
  or: (a) => a.some(pyTruthy),
  and: (a) => a.every(pyTruthy),
};

/** The BackendState attributes a `$name` may read, under Cinder's attribute names. */
function attribute(pool: PoolState, name: string): Json | undefined {
  switch (name) {
    case 'host':
      return pool.host;
    case 'cluster_name':
      return pool.clusterName;
    case 'backend_id':
      return pool.backendId;
    case 'pool_name':
      return pool.poolName;
    case 'capabilities':
      return pool.capabilities as Json;
    case 'service':
      return pool.service as unknown as Json;
    case 'volume_backend_name':
      return pool.volumeBackendName;
    case 'vendor_name':
      return pool.vendorName;
    case 'driver_version':
      return pool.driverVersion;
    case 'storage_protocol':
      return pool.storageProtocol;
    case 'QoS_support':
      return pool.qosSupport;
    case 'total_capacity_gb':
      return capacityJson(pool.totalCapacityGb);
    case 'free_capacity_gb':
      return capacityJson(pool.freeCapacityGb);
    case 'allocated_capacity_gb':
      return pool.allocatedCapacityGb;
    case 'provisioned_capacity_gb':
      return pool.provisionedCapacityGb;
    case 'reserved_percentage':
      return pool.reservedPercentage;
    case 'max_over_subscription_ratio':
      return pool.maxOverSubscriptionRatio;
    // PoolState keeps these as reported (a string 'False' stays 'False'); only the capacity rules read their truthiness.
    case 'thin_provisioning_support':
      return pool.capabilities['thin_provisioning_support'] ?? false;
    case 'thick_provisioning_support':
      return pool.capabilities['thick_provisioning_support'] ?? false;
    case 'multiattach':
      return pool.multiattach;
    case 'filter_function':
      return pool.filterFunction;
    case 'goodness_function':
      return pool.goodnessFunction;
    default:
      return undefined;
  }
}

function parseString(s: string, pool: PoolState): Json | undefined {
  if (!s) return undefined;
  if (!s.startsWith('$')) return s;
  const path = s.slice(1).split('.');
  let obj = attribute(pool, path[0]!);
  if (obj === undefined || obj === null) return undefined;
  for (const item of path.slice(1)) {
    if (!isDict(obj)) throw new PyError('AttributeError', `'${typeof obj}' object has no attribute 'get' (JsonFilter path ${s})`);
    obj = obj[item];
    if (obj === undefined || obj === null) return undefined;
  }
  return obj;
}

function processFilter(query: Json, pool: PoolState): Json {
  if (!pyTruthy(query)) return true;
  if (!Array.isArray(query)) throw new PyError('TypeError', `JsonFilter query must be a list, got ${pyRepr(query)}`);
  const cmd = query[0];
  const method = typeof cmd === 'string' && Object.prototype.hasOwnProperty.call(commands, cmd) ? commands[cmd] : undefined;
  if (!method) throw new PyError('KeyError', pyRepr(cmd ?? null));
  const args: Json[] = [];
  for (const arg of query.slice(1)) {
    let cooked: Json | undefined = arg;
    if (Array.isArray(arg)) cooked = processFilter(arg, pool);
    else if (typeof arg === 'string') cooked = parseString(arg, pool);
    if (cooked !== undefined && cooked !== null) args.push(cooked);
  }
  return method(args);
}

/** Keep pools matching the JSON `query` scheduler hint, e.g. ["=", "$backend_id", "rbd:vol@ceph#cloud"]. */
export const JsonFilter: BackendFilter = {
  describe: "keep pools matching the JSON 'query' scheduler hint",
  backendPasses(pool, ctx) {
    const text = ctx.props.scheduler_hints?.['query'];
    if (!pyTruthy(text)) return PASS;
    let query: Json;
    try {
      query = typeof text === 'string' ? (JSON.parse(text) as Json) : text!;
    } catch (e) {
      throw new PyError('JSONDecodeError', `JsonFilter query hint is not JSON: ${(e as Error).message}`);
    }
    let result = processFilter(query, pool);
    if (Array.isArray(result)) result = result.some(pyTruthy);
    return pyTruthy(result) ? PASS : { pass: false, reason: 'json_query_false', query };
  },
};
