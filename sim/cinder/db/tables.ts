import type { Store, Table } from '../../ports/store.js';
import type {
  AttachmentRow,
  BackupRow,
  MessageRow,
  QuotaRow,
  ServiceRow,
  SnapshotRow,
  TransferRow,
  VolumeRow,
  VolumeTypeRow,
} from './models.js';

/** Cinder's table names (cinder/db/sqlalchemy/models.py __tablename__), by the name the code uses. */
export const tables = {
  services: 'services',
  volumes: 'volumes',
  snapshots: 'snapshots',
  backups: 'backups',
  transfers: 'transfers',
  volumeTypes: 'volume_types',
  quotas: 'quotas',
  attachments: 'volume_attachment',
  messages: 'messages',
} as const;

export type TableName = keyof typeof tables;

/** The row type each table holds. */
export interface TableRows {
  services: ServiceRow;
  volumes: VolumeRow;
  snapshots: SnapshotRow;
  backups: BackupRow;
  transfers: TransferRow;
  volumeTypes: VolumeTypeRow;
  quotas: QuotaRow;
  attachments: AttachmentRow;
  messages: MessageRow;
}

/** Typed access to one table: `table(store, 'volumes')` is a Table<VolumeRow>. */
export function table<N extends TableName>(store: Store, name: N): Table<TableRows[N]> {
  return store.table<TableRows[N]>(tables[name]);
}
