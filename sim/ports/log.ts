/** Structured log lines; what a service logs is part of a run's outcome. */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface LogRecord {
  /** Virtual time, ms. */
  t: number;
  node: string;
  service: string;
  /** Cinder's logger name: the Python module that logs the line (cinder.scheduler.host_manager). */
  logger: string;
  level: LogLevel;
  message: string;
}

/** A line's text, or a function that builds it: called only when the line is kept with its text. */
export type LogMessage = string | (() => string);

export interface Log {
  /** The logger name lines of this Log carry. */
  readonly logger: string;
  /** The same service's log under another of Cinder's logger names. */
  named(logger: string): Log;
  /**
   * Whether lines are kept with their text (false: counted only).  A caller
   * whose line needs work beyond formatting asks first.
   */
  readonly keepsText: boolean;
  debug(message: LogMessage): void;
  info(message: LogMessage): void;
  warning(message: LogMessage): void;
  error(message: LogMessage): void;
}
