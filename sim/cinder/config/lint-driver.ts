import { finding, type Finding } from './findings.js';
import type { IniAssignment } from './ini.js';
import { cinderDriverClasses, renamedDriverClasses } from './known.js';
import { LVM_DRIVER } from './options.js';
import { closest } from './suggest.js';

/**
 * Whether VolumeManager.__init__ fails to import this volume_driver: not an
 * old path Cinder maps to a new one, not an in-tree class, yet in Cinder's
 * driver package.  (A class outside it may be installed: it is assumed to be.)
 */
export function driverImportFails(driver: string): boolean {
  return !(driver in renamedDriverClasses) && driver !== LVM_DRIVER && !cinderDriverClasses.has(driver) && driver.startsWith('cinder.volume.drivers.');
}

export function lintDriver(a: IniAssignment, backend: string): Finding[] {
  const driver = a.value;
  const at = { file: a.file, line: a.line, section: a.section, key: a.key, value: driver };
  const renamed = renamedDriverClasses[driver];
  if (renamed !== undefined) {
    return [finding('renamed-driver', { ...at, suggestion: renamed, message: `Driver path ${driver} is deprecated, update your configuration to the new path. (${renamed})` })];
  }
  if (driver === LVM_DRIVER) return [];
  if (cinderDriverClasses.has(driver)) {
    return [finding('unmodelled-driver', { ...at, message: `${driver} is a Cinder driver the simulator does not model; backend ${backend} is shown with the generic options only` })];
  }
  if (driverImportFails(driver)) {
    const suggestion = closest(driver, cinderDriverClasses) ?? onlyClassInModule(driver);
    return [
      finding('unknown-driver', {
        ...at,
        ...(suggestion === null ? {} : { suggestion }),
        message: `Cinder 2023.1 has no driver class ${driver}: the import fails and the service for ${backend} does not start ("Volume service <host>@${backend} failed to start.")${suggestion === null ? '' : `; did you mean ${suggestion}?`}`,
      }),
    ];
  }
  return [finding('unmodelled-driver', { ...at, message: `${driver} is not a Cinder 2023.1 in-tree driver; if it is installed, the simulator still does not model it` })];
}

/** Old names of a module's single driver (lvm.LVMISCSIDriver) point at what replaced them. */
function onlyClassInModule(driver: string): string | null {
  const module = driver.slice(0, driver.lastIndexOf('.') + 1);
  const same = [...cinderDriverClasses].filter((c) => c.startsWith(module) && !c.slice(module.length).includes('.'));
  return same.length === 1 ? same[0]! : null;
}
