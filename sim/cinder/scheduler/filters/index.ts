import type { BackendFilter } from '../types.js';
import { AvailabilityZoneFilter } from './availability-zone-filter.js';
import { CapabilitiesFilter } from './capabilities-filter.js';
import { CapacityFilter } from './capacity-filter.js';
import { DifferentBackendFilter } from './different-backend-filter.js';
import { DriverFilter } from './driver-filter.js';
import { IgnoreAttemptedHostsFilter } from './ignore-attempted-hosts-filter.js';
import { InstanceLocalityFilter } from './instance-locality-filter.js';
import { JsonFilter } from './json-filter.js';
import { SameBackendFilter } from './same-backend-filter.js';

/** Every filter Cinder 2023.1 ships, under its class name (scheduler_default_filters). */
export const filters = {
  AvailabilityZoneFilter,
  CapacityFilter,
  CapabilitiesFilter,
  DriverFilter,
  JsonFilter,
  InstanceLocalityFilter,
  SameBackendFilter,
  DifferentBackendFilter,
  IgnoreAttemptedHostsFilter,
} as const satisfies Record<string, BackendFilter>;

export type FilterName = keyof typeof filters;
export const filterNames = Object.keys(filters) as FilterName[];

export function isFilterName(name: string): name is FilterName {
  return Object.prototype.hasOwnProperty.call(filters, name);
}
