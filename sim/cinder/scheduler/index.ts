export { HostManager, PoolState, storageProtocolVariants, type ServiceInfo, type Capabilities } from './host-manager.js';
export { FilterScheduler, type Decision, type ScheduleInput, type FilterTrace, type WeigherTrace, type NoValidSummary, type TraceLevel } from './filter-scheduler.js';
export { filters, filterNames, type FilterName } from './filters/index.js';
export { weighers, weigherNames, type WeigherName } from './weighers/index.js';
import { filterNames } from './filters/index.js';
import { weigherNames } from './weighers/index.js';

/** The class names cinder.conf's scheduler_default_filters / _weighers may use, for the config lint. */
export const schedulerClasses = { filter: filterNames, weigher: weigherNames } as const;
export { renderDecision, describeVerdict } from './explain.js';
export { type SchedulerConfig, type RequestSpec, type SchedulingLookups, type Verdict, type RetryInfo } from './types.js';
export { parseCapacity, capacityFactors, maxOverSubscriptionRatio, type Capacity } from './capacity.js';
