import type { Log, LogLevel, LogMessage, LogRecord } from '../ports/log.js';

/** The logger a service's lines carry unless it names another: Cinder's module for that binary. */
const defaultLogger: Record<string, string> = {
  'cinder-api': 'cinder.volume.api',
  'cinder-scheduler': 'cinder.scheduler.manager',
  'cinder-volume': 'cinder.volume.manager',
  'cinder-backup': 'cinder.backup.manager',
};

/** The logger of a service named `service` (`cinder-volume@lvm1` logs as cinder-volume). */
function serviceLogger(service: string): string {
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
    return new SinkLog(this, node, service, name);
  }

  /** One line: counted always, kept with its text unless the sink counts only. */
  write(node: string, service: string, logger: string, level: LogLevel, message: LogMessage): void {
    this.counts[level]++;
    if (!this.#keepText) return;
    this.records.push({ t: this.now(), node, service, logger, level, message: typeof message === 'string' ? message : message() });
  }
}

class SinkLog implements Log {
  constructor(
    private readonly sink: LogSink,
    private readonly node: string,
    private readonly service: string,
    readonly logger: string,
  ) {}

  named(logger: string): Log {
    return new SinkLog(this.sink, this.node, this.service, logger);
  }

  get keepsText(): boolean {
    return this.sink.keepsText;
  }

  debug(message: LogMessage): void {
    this.sink.write(this.node, this.service, this.logger, 'debug', message);
  }

  info(message: LogMessage): void {
    this.sink.write(this.node, this.service, this.logger, 'info', message);
  }

  warning(message: LogMessage): void {
    this.sink.write(this.node, this.service, this.logger, 'warning', message);
  }

  error(message: LogMessage): void {
    this.sink.write(this.node, this.service, this.logger, 'error', message);
  }
}
