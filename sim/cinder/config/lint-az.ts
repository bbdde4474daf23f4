import { finding, type Finding } from './findings.js';
import type { CinderConf, DerivedService } from './types.js';

const DEFAULT = 'DEFAULT';

/**
 * A default availability zone no cinder-volume service is in: creates that
 * name no zone fail with No valid backend (AvailabilityZoneFilter).  Exported
 * so a multi-node scenario can check one node's setting against every node's
 * services.
 */
export function lintDefaultAvailabilityZone(conf: Pick<CinderConf, 'defaults' | 'defaultSources'>, services: readonly DerivedService[]): Finding[] {
  const volume = services.filter((s) => s.binary === 'cinder-volume');
  const explicit = conf.defaults.default_availability_zone;
  const effectiveDefaultAz = explicit ?? conf.defaults.storage_availability_zone;
  if (volume.length === 0 || volume.some((s) => s.availability_zone === effectiveDefaultAz)) return [];
  const zones = [...new Set(volume.map((s) => s.availability_zone))];
  const source = explicit === null ? conf.defaultSources.storage_availability_zone : conf.defaultSources.default_availability_zone;
  const setting = explicit === null ? 'storage_availability_zone, as default_availability_zone is unset' : 'default_availability_zone';
  return [
    finding('default-az-without-service', {
      file: source.kind === 'file' ? source.file : null,
      line: source.kind === 'file' ? source.line : null,
      section: DEFAULT,
      key: explicit === null ? 'storage_availability_zone' : 'default_availability_zone',
      value: effectiveDefaultAz,
      choices: zones,
      message: `new volumes with no zone go to ${effectiveDefaultAz} (${setting}), but no cinder-volume service is in it (zones: ${zones.join(', ')}): such creates fail with No valid backend`,
    }),
  ];
}
