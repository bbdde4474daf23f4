/**
 * The RPC topics the services listen on (cinder/scheduler/rpcapi.py,
 * cinder/volume/rpcapi.py, cinder/backup/rpcapi.py): callers import these,
 * never the manager that serves them.
 */

/** CONF.scheduler_topic: every scheduler listens on it (fanout for capability reports). */
export const SCHEDULER_TOPIC = 'cinder-scheduler';

/** One cinder-volume, addressed by its `host@backend`. */
export const volumeTopic = (host: string): string => `cinder-volume.${host}`;

/** One cinder-backup, addressed by its host. */
export const backupTopic = (host: string): string => `cinder-backup.${host}`;
