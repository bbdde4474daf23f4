import { z } from 'zod';
import { backupTargets } from '../../../drivers/fake/backup.js';
import { serviceBinaries } from '../service/index.js';
import type { ClockSpec } from '../../ports/clock.js';
import { fakeBackendSpec, type FakeBackendSpec } from '../../../drivers/fake/spec.js';
import type { BackendOptions } from '../config/options.js';
import { extraCapabilities, resolveBackendOptions, resolveServiceDefaults, type ServiceDefaults } from '../config/resolved.js';

/**
 * A whole simulated cloud, as a topology: nodes, what runs on each, its
 * cinder.conf options ([DEFAULT] and one group per enabled backend, in
 * Cinder's option names) and the fake storage behind each backend.  Options
 * left unset take the config registry's defaults (resolveCloudSpec).
 */

/** A node's ClockSpec (sim/ports/clock.ts), validated; the cloud passes it to the world untouched. */
export const clockSpec = z
  .object({
    offset_ms: z.number().optional(),
    drift_ppm: z.number().optional(),
    ntp: z
      .union([
        z.object({ mode: z.literal('off') }),
        z.object({ mode: z.literal('slew'), rate_ppm: z.number().positive() }),
        z.object({ mode: z.literal('step') }),
      ])
      .optional(),
  })
  .strict() satisfies z.ZodType<ClockSpec>;

export const backupTargetSpec = z
  .object({
    driver: z.enum(Object.keys(backupTargets) as [keyof typeof backupTargets, ...(keyof typeof backupTargets)[]]).default('swift'),
    capacity_gb: z.number().positive().optional(),
    throughput_mbps: z.number().positive().optional(),
    incremental_change_percent: z.number().min(0).max(100).optional(),
    failure_probability: z.number().min(0).max(1).optional(),
  })
  .strict();

const isMapping = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A backend marked for the real backend (loop-lvm): a world that has one
 * gives its driver (CloudOptions.realDriver); elsewhere the fake storage
 * stands in for it.
 */
export const realBackendSpec = z
  .object({
    driver: z.literal('loop-lvm'),
    backing_file_gb: z.number().int().positive(),
    mode: z.enum(['auto', 'full', 'metadata']),
  })
  .strict();
export type RealBackendSpec = z.infer<typeof realBackendSpec>;

/** One enabled backend: its group's cinder.conf options and the fake storage behind it. */
export const backendSpec = z
  .object({
    /** Options of the backend's group, typed by the config registry; unset ones take its defaults. */
    options: z.custom<Partial<BackendOptions>>(isMapping, 'expected a mapping of cinder.conf options').default({}),
    /** The physical facts of the fake storage (VG size, pools, latency, failures). */
    storage: fakeBackendSpec.default(fakeBackendSpec.parse({})),
    /** Marked for the real backend. */
    real: realBackendSpec.optional(),
  })
  .strict();

export const nodeSpec = z
  .object({
    name: z.string().min(1),
    clock: clockSpec.default({}),
    services: z.array(z.enum(serviceBinaries)).min(1),
    /** Services built with the cloud but started later (Cloud.startLater): deployed on the node mid-run. */
    start_later: z.array(z.enum(serviceBinaries)).default([]),
    /** [DEFAULT] options of this node's cinder.conf, typed by the config registry; unset ones take its defaults. */
    DEFAULT: z.custom<Partial<ServiceDefaults>>(isMapping, 'expected a mapping of cinder.conf options').default({}),
    /** enabled_backends, in order: group name -> that group's options and fake storage. */
    backends: z.record(z.string().min(1), backendSpec).default({}),
    backup: backupTargetSpec.default({ driver: 'swift' }),
  })
  .strict();

export const imageSpec = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    size_bytes: z.number().int().min(0),
    min_disk: z.number().int().min(0).default(0),
    /** Image property cinder_img_volume_type. */
    cinder_img_volume_type: z.string().optional(),
  })
  .strict();

export const cloudSpec = z
  .object({
    nodes: z.array(nodeSpec).min(1),
    images: z.array(imageSpec).default([]),
  })
  .strict();

export type CloudInput = z.input<typeof cloudSpec>;
export type BackendInput = z.input<typeof backendSpec>;
export type ImageSpec = z.infer<typeof imageSpec>;

/** One enabled backend, resolved: every option of its group, and its fake storage. */
export interface BackendSpec {
  options: BackendOptions;
  /** extra_capabilities parsed: merged into every pool the backend reports. */
  extraCapabilities: Record<string, unknown>;
  storage: FakeBackendSpec;
  real?: RealBackendSpec;
}
export type NodeSpec = Omit<z.infer<typeof nodeSpec>, 'DEFAULT' | 'backends'> & { DEFAULT: ServiceDefaults; backends: Record<string, BackendSpec> };
export interface CloudSpec {
  nodes: NodeSpec[];
  images: ImageSpec[];
}

/** Validate a cloud's input and resolve every node's options over the config registry's defaults. */
export function resolveCloudSpec(input: CloudInput): CloudSpec {
  const parsed = cloudSpec.parse(input);
  return {
    images: parsed.images,
    nodes: parsed.nodes.map((n) => ({
      ...n,
      DEFAULT: resolveServiceDefaults(n.name, n.DEFAULT),
      backends: Object.fromEntries(
        Object.entries(n.backends).map(([group, b]) => {
          const options = resolveBackendOptions(b.options);
          return [group, { options, extraCapabilities: extraCapabilities(options), storage: b.storage, ...(b.real ? { real: b.real } : {}) }];
        }),
      ),
    })),
  };
}
