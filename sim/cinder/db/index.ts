/**
 * The Cinder database as the services share it (cinder/db): row types,
 * status unions, table names and typed table access.  The store itself is
 * a port (sim/ports/store.ts); a world provides it.
 */
export * from './models.js';
export { table, tables, type TableName, type TableRows } from './tables.js';
