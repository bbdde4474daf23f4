export { FakeVolumeDriver } from './driver.js';
export { FakeBackupDriver, backupTargets, type BackupTargetName } from './backup.js';
export { fakeBackendSpec, type FakeBackendSpec, type FakeBackendInput, type FakeDriverOptions } from './spec.js';
