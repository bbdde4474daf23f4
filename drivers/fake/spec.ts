import { z } from 'zod';
import type { BackendOptions } from '../../sim/cinder/config/options.js';

/**
 * The physical facts of one fake backend, the ones a real host would have
 * (VG size, pools, thin support, foreign LVs) plus the simulator's knobs
 * (latency, failure).  Validated once, here.  Everything cinder.conf says
 * about the backend (volume_group, lvm_type, reserved_percentage, target_*,
 * ...) comes from the backend's resolved options (FakeDriverOptions).
 */
export const latencySpec = z
  .object({
    /** Fixed cost of any driver call, ms. */
    base_ms: z.number().min(0).default(200),
    /** Cost per GB copied or wiped (thick clone, thick create-from-snapshot, volume_clear=zero), ms. */
    per_gb_ms: z.number().min(0).default(50),
    /** Relative jitter: the latency is scaled by a uniform factor in [1 - jitter, 1 + jitter]. */
    jitter: z.number().min(0).max(1).default(0),
  })
  .strict();

export const failureSpec = z
  .object({
    /** Probability that any data-plane call fails with VolumeBackendAPIException. */
    probability: z.number().min(0).max(1).default(0),
  })
  .strict();

export const poolSpec = z
  .object({
    pool_name: z.string().min(1),
    size_gb: z.number().positive(),
    thin: z.boolean().default(false),
  })
  .strict();

export const fakeBackendSpec = z
  .object({
    /** Whether LVM on this host supports thin pools (auto then becomes thin). */
    thin_supported: z.boolean().default(true),
    /** Size of the volume group, GB. */
    vg_size_gb: z.number().positive().default(1000),
    /** The VG is missing: do_setup fails and the service never heartbeats. */
    vg_missing: z.boolean().default(false),
    /** LVs in the VG that Cinder does not own, GB (LVM counts them in provisioned). */
    foreign_lvs_gb: z.number().min(0).default(0),
    /**
     * Whether the storage can make snapshots (LVM without device-mapper, as
     * a loop-lvm backend in metadata mode, cannot): false refuses snapshots,
     * volumes from snapshots and clones with NotSupportedOperation.
     */
    snapshot_support: z.boolean().default(true),
    /** How full thin volumes are with data, percent of their size (drives thin free space). */
    thin_data_percent: z.number().min(0).max(100).default(0),
    /**
     * A pooled (non-LVM) backend: several pools, each its own capacity.
     * When absent the backend is LVM-shaped: one pool named after the backend.
     */
    pools: z.array(poolSpec).min(1).optional(),
    latency: latencySpec.default({ base_ms: 200, per_gb_ms: 50, jitter: 0 }),
    failure: failureSpec.default({ probability: 0 }),
  })
  .strict();

export type FakeBackendSpec = z.infer<typeof fakeBackendSpec>;
export type FakeBackendInput = z.input<typeof fakeBackendSpec>;

/** The cinder.conf options of the backend's group that the fake LVM driver reads, as the registry types them. */
export type FakeDriverOptions = Pick<
  BackendOptions,
  | 'volume_backend_name'
  | 'volume_group'
  | 'lvm_type'
  | 'reserved_percentage'
  | 'max_over_subscription_ratio'
  | 'lvm_mirrors'
  | 'volume_clear'
  | 'target_ip_address'
  | 'target_port'
  | 'target_prefix'
  | 'filter_function'
  | 'goodness_function'
>;
