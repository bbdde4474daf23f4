export { LoopLvmDriver, loopLvmDefaults, extentRange, type LoopLvmOptions, type ExportResult } from './driver.js';
export { cleanup, type CleanupReport, type CleanupInput } from './cleanup.js';
export { cleanupHost } from './host.js';
export { LoopLvmError, type LoopLvmErrorKind } from './errors.js';
export { ExecaRunner } from './execa-runner.js';
export type { Command, CommandResult, CommandRunner } from './runner.js';
export { instanceNames, stateRoot, instancePattern, type InstanceNames } from './names.js';
export { LoopLvmVolumeDriver, driverFailure, type Deliver, type DriverCallRecord } from './volume-driver.js';
