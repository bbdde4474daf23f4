/**
 * The host strings Cinder writes on volumes and services
 * (cinder/volume/volume_utils.py append_host / extract_host):
 * `host@backend#pool`.
 */

/**
 * The host of the cinder-volume service for one enabled backend
 * (cmd/volume.py): `backend_host@group`, or `host@group` when backend_host is
 * unset or empty (oslo.config gives '' for a key written with no value).
 */
export function volumeServiceHost(host: string, group: string, backendHost: string | null | undefined): string {
  return `${backendHost || host}@${group}`;
}

/** volume_utils.append_host: `host#pool`, or `host` alone for an empty pool name. */
export function appendHost(host: string, pool: string): string {
  return pool ? `${host}#${pool}` : host;
}

/** volume_utils.extract_host(host, 'host'): `host@backend#pool` -> `host`. */
export function extractHostPart(host: string): string {
  return extractBackend(host).split('@')[0]!;
}

/** volume_utils.extract_host(host, 'backend'): `host@backend#pool` -> `host@backend`. */
export function extractBackend(host: string): string {
  const i = host.indexOf('#');
  return i < 0 ? host : host.slice(0, i);
}

/** volume_utils.extract_host(host, 'pool'): `host@backend#pool` -> `pool`, or null when there is none. */
export function extractPool(host: string): string | null {
  const parts = host.split('#');
  return parts.length === 2 ? parts[1]! : null;
}
