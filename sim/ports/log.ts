/** Structured log lines; what a service logs is part of a run's outcome. */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface LogRecord {
  /** Virtual time, ms. */
  t: number;
  node: string;
  service: string;
  level: LogLevel;
  message: string;
}

export interface Log {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}
