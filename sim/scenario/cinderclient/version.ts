import { compareVersions, MAX_API_VERSION, MIN_API_VERSION, parseApiVersion } from '../../cinder/api/version.js';

/**
 * How python-cinderclient picks the microversion of a command line
 * (shell._validate_input_api_version, api_versions.discover_version):
 * without --os-volume-api-version it asks for its own maximum, 3.70; a
 * version above what the server offers is downgraded to the server's
 * maximum with a warning; a malformed one, or a major other than 3, stops
 * the client before any request.
 */
export const CLIENT_MAX_VERSION = '3.70';

/** A version as the client holds it: major, minor (Infinity for 'latest'). */
export type ClientVersion = readonly [number, number];

export type Negotiated =
  | { ok: true; requested: ClientVersion; version: string; warnings: string[] }
  | { ok: false; error: string };

const str = (v: ClientVersion): string => (v[1] === Infinity ? `${v[0]}.latest` : `${v[0]}.${v[1]}`);

/** api_versions.get_api_version: '3' means 3.0, 'X.latest' the latest; the message of UnsupportedVersion otherwise. */
export function parseClientVersion(input: string): { ok: true; version: ClientVersion } | { ok: false; error: string } {
  const s = /^-?\d+$/.test(input.trim()) ? `${Number(input.trim())}.0` : input;
  const m = /^([1-9]\d*)\.([1-9]\d*|0|latest)$/.exec(s);
  if (!m) return { ok: false, error: `Invalid format of client version '${s}'. Expected format 'X.Y', where X is a major part and Y is a minor part of version.` };
  const v: ClientVersion = [Number(m[1]), m[2] === 'latest' ? Infinity : Number(m[2])];
  if (v[0] !== 3) return { ok: false, error: `Invalid client version '${str(v)}'. Major part should be '3'` };
  return { ok: true, version: v };
}

/** Whether `v` lies in [start, end] (either may be absent), as APIVersion.matches. */
export function versionMatches(v: ClientVersion, start?: string, end?: string): boolean {
  if (start !== undefined && compareVersions(v, parseApiVersion(start)!) < 0) return false;
  if (end !== undefined && compareVersions(v, parseApiVersion(end)!) > 0) return false;
  return true;
}

/**
 * The version the client's requests carry, against a Cinder 2023.1 API
 * (3.0 to 3.70): `requested` is --os-volume-api-version (or a scenario's
 * api_version), undefined for the client's default.
 */
export function negotiate(requested: string | undefined): Negotiated {
  const p = parseClientVersion(requested ?? CLIENT_MAX_VERSION);
  if (!p.ok) return p;
  const want = p.version;
  const serverMax = parseApiVersion(MAX_API_VERSION)!;
  const serverMin = parseApiVersion(MIN_API_VERSION)!;
  if (compareVersions(want, serverMin) < 0) {
    return { ok: false, error: `The specified version isn't supported by server. The valid version range is '${MIN_API_VERSION}' to '${MAX_API_VERSION}'` };
  }
  if (compareVersions(want, serverMax) <= 0) return { ok: true, requested: want, version: str(want), warnings: [] };
  // Above the server's maximum: downgraded; the shell warns only for an explicit request.
  const warnings = requested === undefined ? [] : [`API version ${str(want)} requested, `, `downgrading to ${MAX_API_VERSION} based on server support.`];
  return { ok: true, requested: want, version: MAX_API_VERSION, warnings };
}

/** The version a scenario's api_version (already validated by the schema) gives its requests. */
export function negotiatedDefault(requested: string | undefined): string {
  const n = negotiate(requested);
  return n.ok ? n.version : CLIENT_MAX_VERSION;
}
