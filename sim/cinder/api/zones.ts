import type { ApiCore } from './core.js';

/**
 * volume/api.py list_availability_zones: every cinder-volume service row,
 * up or down; a zone is available iff one of its services is enabled.
 */
export function listAvailabilityZones(core: ApiCore): { name: string; available: boolean }[] {
  const zones = new Map<string, boolean>();
  for (const s of core.services.list((s) => s.binary === 'cinder-volume')) {
    zones.set(s.availability_zone, (zones.get(s.availability_zone) ?? false) || !s.disabled);
  }
  return [...zones].map(([name, available]) => ({ name, available }));
}

/** The AZs a create may name: the (cached, per API worker) zone list plus this node's storage_availability_zone. */
export function validAvailabilityZones(core: ApiCore): Set<string> {
  const now = core.ports.clock.monoNow();
  const c = core.azCache;
  if (!c || now - c.filledMono > core.opts.az_cache_duration * 1000) refreshAzCache(core);
  const names = new Set(core.azCache!.names);
  names.add(core.opts.storage_availability_zone);
  return names;
}

export function refreshAzCache(core: ApiCore): void {
  core.azCache = { names: new Set(listAvailabilityZones(core).map((z) => z.name)), filledMono: core.ports.clock.monoNow() };
}
