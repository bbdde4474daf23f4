import { z } from 'zod';
import { backupTargets } from '../../../drivers/fake/backup.js';
import { serviceBinaries } from '../service/index.js';
import type { ClockSpec } from '../../ports/clock.js';
import { backendOptions, defaultOptions } from './options.js';

/**
 * A whole simulated cloud, as a topology: nodes, what runs on each, its
 * cinder.conf options ([DEFAULT] and one group per enabled backend, in
 * Cinder's option names) and the fake storage behind each backend.
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

export const nodeSpec = z
  .object({
    name: z.string().min(1),
    clock: clockSpec.default({}),
    services: z.array(z.enum(serviceBinaries)).min(1),
    /** [DEFAULT] options of this node's cinder.conf. */
    DEFAULT: defaultOptions.default(defaultOptions.parse({})),
    /** enabled_backends, in order: group name -> that group's options and fake storage. */
    backends: z.record(z.string().min(1), backendOptions).default({}),
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

export type CloudSpec = z.infer<typeof cloudSpec>;
export type CloudInput = z.input<typeof cloudSpec>;
export type NodeSpec = z.infer<typeof nodeSpec>;
export type ImageSpec = z.infer<typeof imageSpec>;
