import { capacityJson } from '../capacity.js';
import type { PoolState } from '../host-manager.js';
import type { Json } from '../python.js';
import type { FilterProperties } from '../types.js';
import type { EvaluatorVars } from './evaluate.js';

/**
 * The variable sets DriverFilter / GoodnessWeigher hand the evaluator, one
 * per storage_protocol variant when the function mentions storage_protocol
 * (so `stats.storage_protocol == 'FC'` matches a pool reporting
 * 'fibre_channel').  `updated` is a datetime in Cinder; null here, and
 * int(None) fails the same way either way.
 */
export function evaluatorVarSets(pool: PoolState, props: FilterProperties, func: string, forFilter: boolean): EvaluatorVars[] {
  const stats: Record<string, Json> = {
    host: pool.host,
    ...(forFilter ? { cluster_name: pool.clusterName, backend_id: pool.backendId } : {}),
    volume_backend_name: pool.volumeBackendName,
    vendor_name: pool.vendorName,
    driver_version: pool.driverVersion,
    storage_protocol: pool.storageProtocol,
    QoS_support: pool.qosSupport,
    total_capacity_gb: capacityJson(pool.totalCapacityGb),
    allocated_capacity_gb: pool.allocatedCapacityGb,
    free_capacity_gb: capacityJson(pool.freeCapacityGb),
    reserved_percentage: pool.reservedPercentage,
    updated: null,
  };
  const base: EvaluatorVars = {
    extra: (props.volume_type.extra_specs ?? {}) as Json,
    stats,
    capabilities: pool.capabilities as Json,
    volume: props.request_spec.volume_properties as unknown as Json,
    // DriverFilter passes qos_specs as populated (None when absent); GoodnessWeigher uses `or {}`.
    qos: forFilter ? (props.qos_specs ?? null) : props.qos_specs || {},
  };
  const protocols = pool.storageProtocol;
  if (func.includes('storage_protocol') && Array.isArray(protocols)) {
    return protocols.map((p) => ({ ...base, stats: { ...stats, storage_protocol: p }, capabilities: { ...pool.capabilities, storage_protocol: p } }));
  }
  return [base];
}
