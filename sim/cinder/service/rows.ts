import type { ServiceRow } from '../db/index.js';
import type { Table } from '../../ports/store.js';

/**
 * A service's `services` row as Service.start (and report_state) leave it:
 * the existing row with its zone refreshed, or a new one.  A row removed
 * with `cinder-manage service remove` (soft-deleted) is created anew, with
 * a new row's defaults (enabled), as `_create_service_ref` does.
 */
export function ensureServiceRow(t: Table<ServiceRow>, id: string, binary: ServiceRow['binary'], host: string, availabilityZone: string): void {
  const row = t.get(id);
  if (row && !row.deleted) {
    t.update(id, { availability_zone: availabilityZone });
    return;
  }
  const fresh = { binary, host, topic: binary, availability_zone: availabilityZone, disabled: false, disabled_reason: null, modified_at: null, frozen: false };
  if (row) t.update(id, { ...fresh, deleted: false });
  else t.insert({ id, ...fresh });
}
