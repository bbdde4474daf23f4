export type { Clock, Periodic, Timers, TimerHandle } from './clock.js';
export type { Rng } from './rng.js';
export type { Log, LogLevel, LogMessage, LogRecord } from './log.js';
export type { Bus, Handler, LaterReply, Message, CallResult } from './bus.js';
export type { Store, Table, Row, NewRow } from './store.js';
export type { ServicePorts } from './service.js';
export type * from './volume-driver.js';
export type * from './backup-driver.js';
