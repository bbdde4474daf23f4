import type { Periodic } from '../../ports/clock.js';
import type { ServicePorts } from '../../ports/service.js';
import { table } from '../db/index.js';
import type { Binary } from '../db/binaries.js';
import { serviceId, type ServiceDirectory } from './directory.js';
import { ensureServiceRow } from './rows.js';

/**
 * Service.start / report_state for services other than cinder-volume
 * (which keeps its own, tied to its driver): the `services` row and a lazy
 * heartbeat every report_interval, stamped by this node's clock.
 */
export class ServiceHeart {
  private beat: Periodic | null = null;
  readonly id: string;

  constructor(
    private readonly ports: ServicePorts,
    readonly binary: Binary,
    readonly host: string,
    private readonly reportIntervalS: number,
    directory: ServiceDirectory,
  ) {
    this.id = serviceId(binary, host);
    directory.registerHeartbeat(this.id, {
      lastHeartbeatWall: () => {
        const t = this.beat?.lastTick() ?? null;
        return t === null ? null : this.ports.clock.wallAt(t);
      },
      lastHeartbeatMono: () => this.beat?.lastTick() ?? null,
      clock: this.ports.clock,
    });
  }

  start(availabilityZone: string, working: () => boolean = () => true): void {
    ensureServiceRow(table(this.ports.store, 'services'), this.id, this.binary, this.host, availabilityZone);
    const ms = this.reportIntervalS * 1000;
    this.beat = working() ? this.ports.timers.periodic(ms, ms, `heartbeat ${this.binary} ${this.host}`) : null;
  }

  stop(): void {
    this.beat?.stop();
  }
}
