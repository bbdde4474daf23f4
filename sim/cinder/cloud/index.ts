/**
 * A whole simulated Cinder cloud from a topology description.
 *
 *   const cloud = new Cloud(spec, host, { shortcuts? });   // host: { ports(node, service), rng(stream) }
 *   cloud.start();
 *   cloud.submit(ctx, request, (outcome) => ...);              // one Outcome per request
 *   cloud.service({ binary: 'cinder-volume', host: 'node1@lvm' }).stop() | .start() | .restart();
 *   cloud.setBackendCapacity('node1@lvm', gb, pool?); cloud.failBackend(h); cloud.recoverBackend(h);
 *   cloud.failBackupTarget(host); cloud.recoverBackupTarget(host);
 *   cloud.snapshot();            // volumes, snapshots, backups, transfers, service-list, pools, decisions
 *   cloud.checkInvariants();     // first broken invariant, or null
 *
 * spec = {
 *   nodes: [{
 *     name, clock?: { offset_ms, drift_ppm, ntp },          (passed to the world's NodeClock)
 *     services: ['cinder-api' | 'cinder-scheduler' | 'cinder-volume' | 'cinder-backup', ...],
 *     DEFAULT?: { report_interval, service_down_time, storage_availability_zone, default_volume_type,
 *                 quota_*, scheduler_default_filters, ..., max_over_subscription_ratio }
 *               (cinder.conf [DEFAULT], Cinder's names, typed by the config registry; unset: its defaults)
 *     backends?: { <group>: {
 *                  options?: { volume_backend_name, volume_group, lvm_type, reserved_percentage,
 *                    max_over_subscription_ratio, target_ip_address, target_port, backend_availability_zone,
 *                    backend_host, extra_capabilities, ... },   (the cinder.conf backend group, as the registry types it)
 *                  storage?: { vg_size_gb, vg_missing, thin_supported, foreign_lvs_gb, thin_data_percent, pools,
 *                    latency: { base_ms, per_gb_ms, jitter }, failure: { probability } } } },  (fake storage)
 *     backup?: { driver: ceph|gcs|glusterfs|nfs|posix|s3|swift, capacity_gb, throughput_mbps, ... },
 *   }],
 *   images?: [{ id, name, size_bytes, min_disk, cinder_img_volume_type }],
 * }
 *
 * In the simulator, sim/harness/simulated-cloud.ts (SimulatedCloud) builds the World and this cloud together.
 */
export { Cloud, type CloudHost, type CloudOptions, type CloudSnapshot, type PoolCapacity, type ServiceRef } from './build.js';
export {
  cloudSpec,
  nodeSpec,
  backendSpec,
  imageSpec,
  resolveCloudSpec,
  type CloudInput,
  type CloudSpec,
  type NodeSpec,
  type BackendInput,
  type BackendSpec,
  type ImageSpec,
} from './spec.js';
export { checkInvariants } from './invariants.js';
