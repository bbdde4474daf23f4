/**
 * The Cinder service binaries, the one list: the `services.binary` column
 * (so it lives with the rows; sim/cinder/service re-exports it),
 * the topology's service names and the scenario schema's enum derive from it.
 */
export const serviceBinaries = ['cinder-api', 'cinder-scheduler', 'cinder-volume', 'cinder-backup'] as const;

export type Binary = (typeof serviceBinaries)[number];

/** The binaries that run as a service with a heartbeat (cinder-api keeps no `services` row). */
export type HeartbeatBinary = Exclude<Binary, 'cinder-api'>;
