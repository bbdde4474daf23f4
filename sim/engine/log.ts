import type { Log, LogLevel, LogMessage, LogRecord } from '../ports/log.js';

/** The logger a service's lines carry unless it names another: Cinder's module for that binary. */
const defaultLogger: Record<string, string> = {
  'cinder-api': 'cinder.volume.api',
  'cinder-scheduler': 'cinder.scheduler.manager',
  'cinder-volume': 'cinder.volume.manager',
  'cinder-backup': 'cinder.backup.manager',
};

/** The logger of a service named `service` (`cinder-volume@lvm1` logs as cinder-volume). */
export function serviceLogger(service: string): string {
  const binary = service.split('@')[0]!;
  return defaultLogger[binary] ?? binary;
}

/**
 * Collects every service's log lines, stamped with virtual time.  Every
 * line is counted by level; its text is kept unless the sink counts only
 * (lean runs): then a lazily built message is never built.
 */
export class LogSink {
  readonly records: LogRecord[] = [];
  readonly counts: Record<LogLevel, number> = { debug: 0, info: 0, warning: 0, error: 0 };
  #keepText = true;
  constructor(private readonly now: () => number) {}

  /** Keep lines with their text (default), or count them only. */
  keepText(keep: boolean): void {
    this.#keepText = keep;
  }

  get keepsText(): boolean {
    return this.#keepText;
  }

  logger(node: string, service: string, name: string = serviceLogger(service)): Log {
    const sink = this;
    const write = (level: LogLevel) => (message: LogMessage) => {
      sink.counts[level]++;
      if (!sink.#keepText) return;
      sink.records.push({ t: sink.now(), node, service, logger: name, level, message: typeof message === 'string' ? message : message() });
    };
    return {
      logger: name,
      named: (other: string) => sink.logger(node, service, other),
      get keepsText() {
        return sink.#keepText;
      },
      debug: write('debug'),
      info: write('info'),
      warning: write('warning'),
      error: write('error'),
    };
  }
}
