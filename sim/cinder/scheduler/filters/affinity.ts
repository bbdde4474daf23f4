import type { PoolState } from '../host-manager.js';
import type { Json } from '../python.js';
import type { FilterContext } from '../types.js';

/** oslo uuidutils.is_uuid_like. */
export function isUuidLike(v: Json | undefined): boolean {
  if (typeof v !== 'string') return false;
  const hex = v.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
  return /^[0-9a-fA-F]{32}$/.test(hex);
}

/** db _filter_host: `#` in value = exact pool; `@` = backend and its pools; else host and everything under it. */
export function hostMatches(value: string, volumeHost: string): boolean {
  if (value.includes('#')) return volumeHost === value;
  if (value.includes('@')) return volumeHost === value || volumeHost.startsWith(value + '#');
  return volumeHost === value || volumeHost.startsWith(value + '@') || volumeHost.startsWith(value + '#');
}

/** The hint as a list of uuids, or null when Cinder refuses it (anything not uuid-like). */
export function affinityUuids(hint: Json | undefined): string[] | null {
  if (hint === undefined) return [];
  if (Array.isArray(hint)) return hint.every(isUuidLike) ? (hint as string[]) : null;
  if (isUuidLike(hint)) return [hint as string];
  return null;
}

/** AffinityFilter._get_volumes: which of these volumes live on the pool (by cluster or host). */
export function volumesOn(pool: PoolState, uuids: readonly string[], ctx: FilterContext): string[] {
  const where = pool.clusterName || pool.host;
  return uuids.filter((id) => {
    const host = ctx.lookups.volumeHost(id);
    return host !== undefined && hostMatches(where, host);
  });
}
