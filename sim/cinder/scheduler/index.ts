export { HostManager, PoolState, storageProtocolVariants, type ServiceInfo, type Capabilities } from './host-manager.js';
export { FilterScheduler, type Decision, type ScheduleInput, type FilterTrace, type WeigherTrace, type NoValidSummary, type TraceLevel } from './filter-scheduler.js';
export { filters, filterNames, type FilterName } from './filters/index.js';
export { weighers, weigherNames, type WeigherName } from './weighers/index.js';
export { renderDecision, describeVerdict } from './explain.js';
export { type SchedulerConfig, type RequestSpec, type SchedulingLookups, type Verdict, type RetryInfo } from './types.js';
export { parseCapacity, capacityFactors, maxOverSubscriptionRatio, type Capacity } from './capacity.js';
