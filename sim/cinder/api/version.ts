import type { ApiError } from '../exception.js';

/**
 * API microversions (cinder/api/microversions.py and
 * cinder/api/openstack/api_version_request.py).  Cinder 2023.1 serves 3.0
 * to 3.70; a request names its version in the OpenStack-API-Version header,
 * and one that names none is served as 3.0.
 */
export const MIN_API_VERSION = '3.0';
export const MAX_API_VERSION = '3.70';

/** The microversions whose rules cinder-sim models, under Cinder's names. */
export const mv = {
  MESSAGES: '3.3',
  CLUSTER_SUPPORT: '3.7',
  GROUP_VOLUME: '3.13',
  GROUP_SNAPSHOTS: '3.14',
  BACKUP_PROJECT: '3.18',
  VOLUME_DETAIL_PROVIDER_ID: '3.21',
  SNAPSHOT_LIST_USER_ID: '3.41',
  VOLUME_EXTEND_INUSE: '3.42',
  BACKUP_METADATA: '3.43',
  VOLUME_CREATE_FROM_BACKUP: '3.47',
  VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS: '3.48',
  BACKEND_STATE_REPORT: '3.49',
  TRANSFER_WITH_SNAPSHOTS: '3.55',
  BACKUP_PROJECT_USER_ID: '3.56',
  TRANSFER_WITH_HISTORY: '3.57',
  VOLUME_CLUSTER_NAME: '3.61',
  VOLUME_TYPE_ID_IN_VOLUME_DETAIL: '3.63',
  ENCRYPTION_KEY_ID_IN_DETAILS: '3.64',
  USE_QUOTA: '3.65',
  SNAPSHOT_IN_USE: '3.66',
  SHARED_TARGETS_TRISTATE: '3.69',
} as const;

/** Versions parsed so far (every request checks one or two): a few strings, bounded by PARSED_VERSIONS_MAX. */
const parsedVersions = new Map<string, readonly [number, number] | null>();
const PARSED_VERSIONS_MAX = 256;

/** A version as [major, minor]; null when the string is not MajorNum.MinorNum ('latest' is the maximum). */
export function parseApiVersion(s: string): readonly [number, number] | null {
  const known = parsedVersions.get(s);
  if (known !== undefined) return known;
  const v = parseVersionString(s);
  if (parsedVersions.size < PARSED_VERSIONS_MAX) parsedVersions.set(s, v);
  return v;
}

function parseVersionString(s: string): readonly [number, number] | null {
  if (s === 'latest') return parseVersionString(MAX_API_VERSION);
  const m = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(s);
  return m ? Object.freeze([Number(m[1]), Number(m[2])] as const) : null;
}

/** a - b as versions: negative, zero or positive. */
export function compareVersions(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/** Request.set_api_version_request: a malformed version is a 400, one outside 3.0-3.70 a 406. */
export function checkApiVersion(version: string | undefined): ApiError | null {
  if (version === undefined) return null;
  const v = parseApiVersion(version);
  if (!v) {
    return { http: 400, error: 'InvalidAPIVersionString', message: `API Version String ${version} is of invalid format. Must be of format MajorNum.MinorNum.` };
  }
  if (compareVersions(v, parseApiVersion(MIN_API_VERSION)!) < 0 || compareVersions(v, parseApiVersion(MAX_API_VERSION)!) > 0) {
    return {
      http: 406,
      error: 'InvalidGlobalAPIVersion',
      message: `Version ${version} is not supported by the API. Minimum is ${MIN_API_VERSION} and maximum is ${MAX_API_VERSION}.`,
    };
  }
  return null;
}
