/**
 * What Cinder keeps in cinder/service.py and around it, shared by every
 * service: the list of binaries, the heartbeat (ServiceHeart), the service
 * directory (heartbeats and capability reports as the lazy model computes
 * them), the two liveness rules and the effective service_down_time.
 */
export { serviceBinaries, type Binary, type HeartbeatBinary } from '../db/binaries.js';
export { ServiceHeart } from './heartbeat.js';
export { ServiceDirectory, serviceId, type CapabilityReport, type CapabilitySource, type HeartbeatSource } from './directory.js';
export { ensureServiceRow } from './rows.js';
export { effectiveServiceDownTime, isServiceUp, isServiceUpForList } from './liveness.js';
