import type { BackendWeigher } from '../types.js';
import { AllocatedCapacityWeigher } from './allocated-capacity-weigher.js';
import { CapacityWeigher } from './capacity-weigher.js';
import { ChanceWeigher } from './chance-weigher.js';
import { GoodnessWeigher } from './goodness-weigher.js';
import { VolumeNumberWeigher } from './volume-number-weigher.js';

/** Every weigher Cinder 2023.1 ships, under its class name (scheduler_default_weighers). */
export const weighers = {
  CapacityWeigher,
  AllocatedCapacityWeigher,
  VolumeNumberWeigher,
  GoodnessWeigher,
  ChanceWeigher,
} as const satisfies Record<string, BackendWeigher>;

export type WeigherName = keyof typeof weighers;
export const weigherNames = Object.keys(weighers) as WeigherName[];

export function isWeigherName(name: string): name is WeigherName {
  return Object.prototype.hasOwnProperty.call(weighers, name);
}
