import type { Log, LogLevel, LogRecord } from '../ports/log.js';

/** Collects every service's log lines, stamped with virtual time. */
export class LogSink {
  readonly records: LogRecord[] = [];
  constructor(private readonly now: () => number) {}

  logger(node: string, service: string): Log {
    const write = (level: LogLevel) => (message: string) => {
      this.records.push({ t: this.now(), node, service, level, message });
    };
    return { debug: write('debug'), info: write('info'), warning: write('warning'), error: write('error') };
  }
}
