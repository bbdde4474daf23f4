import { FakeBackupDriver } from '../../../drivers/fake/backup.js';
import { FakeVolumeDriver } from '../../../drivers/fake/driver.js';
import type { Rng } from '../../ports/rng.js';
import type { PoolStats, VolumeDriver, VolumeStats } from '../../ports/volume-driver.js';
import type { ServicePorts } from '../../ports/service.js';
import type { Store } from '../../ports/store.js';
import { CinderApi } from '../api/index.js';
import type { ApiResult, CinderRequest, Outcome, RequestContext } from '../api/requests.js';
import { serviceList, type ServiceListRow } from '../api/services.js';
import { BackupService } from '../backup/manager.js';
import { SchedulerService, type SchedulerDecisionRecord } from '../scheduler/manager.js';
import { ensureServiceRow, serviceId, ServiceDirectory, type HeartbeatBinary } from '../service/index.js';
import type { Shortcuts } from '../shortcuts.js';
import { VolumeService } from '../volume/manager.js';
import { table, type BackupRow, type SnapshotRow, type TransferRow, type VolumeRow } from '../db/index.js';
import { driverImportFails } from '../config/lint-driver.js';
import { renamedDriverClasses } from '../config/known.js';
import { checkInvariants } from './invariants.js';
import { extractHostPart, volumeServiceHost } from '../host.js';
import { resolveCloudSpec, type BackendSpec, type CloudInput, type CloudSpec, type ImageSpec, type NodeSpec } from './spec.js';

/** What a world gives the cloud: ports per (node, service) and named random streams. */
export interface CloudHost {
  ports(node: string, service: string): ServicePorts;
  /** A named stream (`driver:<host>`, `backup:<host>`). */
  rng(stream: string): Rng;
}

/** A backend marked for the real backend, as the world that runs it is asked for its driver. */
export interface RealBackendRef {
  /** host@backend of its cinder-volume. */
  host: string;
  node: string;
  group: string;
  backend: BackendSpec;
}

export interface CloudOptions {
  /** The performance shortcuts the services run with (tests turn them off to compare; default defaultShortcuts). */
  shortcuts?: Shortcuts;
  /**
   * The driver of a backend marked for the real backend (a live world set
   * it up before the cloud was built); without one, or where it answers
   * undefined, the fake storage stands in for it.
   */
  realDriver?: (ref: RealBackendRef) => VolumeDriver | undefined;
}

/** Names a service for faults: `{ binary: 'cinder-volume', host: 'node1@lvm' }`. */
export interface ServiceRef {
  binary: HeartbeatBinary;
  host: string;
}

export interface PoolCapacity {
  backend: string;
  pool: string;
  total_capacity_gb: number | string;
  free_capacity_gb: number | string;
  provisioned_capacity_gb: number;
  allocated_capacity_gb: number;
  failed: boolean;
  /** The driver's backend-level volume_backend_name (Cinder adds it to each pool's capabilities). */
  volume_backend_name: string;
  /** The pool's report as the driver gives it now. */
  reported: PoolStats;
  /** What lies under the reported total: the fake storage's physical facts. */
  storage: PoolStorage;
}

/**
 * The physical storage under a pool, so a report can say why the driver
 * reports the total it does: an LVM thick pool is the VG; an LVM thin pool
 * is `<vg>-pool`, which brick's LVM carves from 95 % of the VG's free space
 * (foreign LVs excluded); a pooled backend's pool is its configured size.
 */
export interface PoolStorage {
  kind: 'lvm-thick' | 'lvm-thin' | 'pooled';
  /** The VG's size (LVM) or the pool's size (pooled), GB. */
  size_gb: number;
  /** LVs in the VG that Cinder does not own, GB (LVM counts them as used). */
  foreign_lvs_gb: number;
  /** How full thin volumes are with data, percent of their size (what a thin pool's free space loses). */
  thin_data_percent: number;
}

/** A read-only picture of the cloud for reports. */
export interface CloudSnapshot {
  atMs: number;
  volumes: VolumeRow[];
  snapshots: SnapshotRow[];
  backups: BackupRow[];
  transfers: TransferRow[];
  services: ServiceListRow[];
  pools: PoolCapacity[];
  decisions: SchedulerDecisionRecord[];
}

/**
 * A whole simulated Cinder cloud assembled from a topology: per node its
 * cinder-api, cinder-scheduler, one cinder-volume per enabled backend (each
 * with a fake driver), cinder-backup with a simulated target.  World-agnostic:
 * it takes ports from a CloudHost (the engine's World in the simulator).
 */
export class Cloud {
  readonly spec: CloudSpec;
  readonly directory = new ServiceDirectory();
  readonly apis: { node: string; api: CinderApi; readonly ports: ServicePorts }[] = [];
  readonly schedulers: SchedulerService[] = [];
  readonly volumeServices = new Map<string, VolumeService>();
  readonly drivers = new Map<string, FakeVolumeDriver>();
  /** Real backends' drivers (loop-lvm on this host), by host@backend: no fault reaches them. */
  readonly realDrivers = new Map<string, VolumeDriver>();
  readonly backupServices = new Map<string, BackupService>();
  readonly backupDrivers = new Map<string, FakeBackupDriver>();
  /** Every answered request, in answer order (unless keepOutcomes(false): a scenario run records its own). */
  readonly outcomes: Outcome[] = [];
  private keepingOutcomes = true;
  /** cinder-volume services whose driver cannot be imported: each start fails again, logging it. */
  private readonly failedToStart = new Map<string, () => void>();
  private seq = 0;
  private readonly store: Store;
  private readonly images: Map<string, ImageSpec>;
  /** Services halted by a fault (stop, crash) and not started since: a conf change's restart leaves them stopped. */
  private readonly halted = new Set<string>();
  /** Nodes' start_later services already started. */
  private readonly deployed = new Set<string>();
  /** Decisions are dropped as they are read (lean runs): schedulers built later run light too. */
  private lightDecisions = false;

  constructor(
    input: CloudInput,
    private readonly host: CloudHost,
    private readonly opts: CloudOptions = {},
  ) {
    this.spec = resolveCloudSpec(input);
    this.images = new Map<string, ImageSpec>(this.spec.images.map((i) => [i.id, i]));
    let store: Store | null = null;
    for (const node of this.spec.nodes) {
      const d = node.DEFAULT;
      const hostName = d.host;
      for (const svc of node.services) {
        if (svc === 'cinder-api') {
          const ports = host.ports(node.name, 'cinder-api');
          this.apis.push({ node: node.name, api: new CinderApi(ports, d, this.directory, this.images), ports });
          store ??= ports.store;
        } else if (svc === 'cinder-scheduler') {
          this.schedulers.push(new SchedulerService(host.ports(node.name, 'cinder-scheduler'), d, this.directory, opts.shortcuts));
        } else if (svc === 'cinder-volume') {
          if (Object.keys(node.backends).length === 0) {
            // cmd/volume.py exits: drivers cannot be configured in [DEFAULT] since Ocata.
            host.ports(node.name, 'cinder-volume').log.named('cinder.cmd.volume').error(
              'Configuration for cinder-volume does not specify "enabled_backends". Using DEFAULT section to configure drivers is not supported since Ocata.',
            );
          }
          let started = 0;
          for (const [group, b] of Object.entries(node.backends)) {
            const built = this.buildVolume(node, group, b);
            store ??= built.store;
            if (built.started) started++;
          }
          if (started === 0 && Object.keys(node.backends).length > 0) {
            host.ports(node.name, 'cinder-volume').log.named('cinder.cmd.volume').error('No volume service(s) started successfully, terminating.');
          }
        } else {
          const t = node.backup;
          const driver = new FakeBackupDriver(t.driver, host.rng(`backup:${hostName}`), {
            capacityGb: t.capacity_gb,
            throughputMBps: t.throughput_mbps,
            incrementalChangePercent: t.incremental_change_percent,
            failureProbability: t.failure_probability,
          });
          this.backupDrivers.set(hostName, driver);
          this.backupServices.set(hostName, new BackupService(host.ports(node.name, 'cinder-backup'), d, driver, this.directory));
        }
      }
    }
    if (this.apis.length === 0) throw new Error('cloud spec: no node runs cinder-api; add "cinder-api" to some node\'s services');
    this.store = store!;
  }

  /**
   * Build one backend's cinder-volume (service and fake driver); not
   * started when its driver class cannot be imported (the service fails to
   * start, logged as cmd/volume.py does).  `storage` hands over the driver of a service
   * restarting with changed options: the same storage, reconfigured.
   */
  private buildVolume(node: NodeSpec, group: string, b: BackendSpec, storage?: FakeVolumeDriver): { started: boolean; store: Store } {
    const o = b.options;
    const d = node.DEFAULT;
    // As cinder-volume reads them: an empty value is unset.
    const svcHost = volumeServiceHost(d.host, group, o.backend_host);
    const backendHost = extractHostPart(svcHost);
    const ports = this.host.ports(node.name, `cinder-volume@${group}`);
    if (o.volume_driver in renamedDriverClasses) {
      ports.log.warning(`Driver path ${o.volume_driver} is deprecated, update your configuration to the new path.`);
    } else if (driverImportFails(o.volume_driver)) {
      // VolumeManager.__init__ cannot import the class, inside Service.__init__ before the
      // services row is made: cmd/volume.py logs it and starts the node's other backends.
      const failed = ports.log.named('cinder.cmd.volume');
      const fail = () => failed.error(`Volume service ${svcHost} failed to start.`);
      fail();
      this.failedToStart.set(svcHost, fail);
      this.volumeServices.delete(svcHost);
      // The storage stays, with no driver set up on it.
      storage?.resetInitialized();
      return { started: false, store: ports.store };
    }
    this.failedToStart.delete(svcHost);
    const real = b.real ? this.opts.realDriver?.({ host: svcHost, node: node.name, group, backend: b }) : undefined;
    let driver: VolumeDriver;
    if (real) {
      driver = real;
      this.realDrivers.set(svcHost, real);
    } else {
      const fake = storage ?? new FakeVolumeDriver(b.storage, o, this.host.rng(`driver:${svcHost}`), backendHost);
      if (storage) fake.reconfigure(o);
      this.drivers.set(svcHost, fake);
      driver = fake;
    }
    const vs = new VolumeService(
      ports,
      { host: svcHost, availabilityZone: o.backend_availability_zone || d.storage_availability_zone, defaults: d, extraCapabilities: b.extraCapabilities, imageSizeBytes: (id) => this.images.get(id)?.size_bytes, shortcuts: this.opts.shortcuts },
      driver,
      this.directory,
    );
    this.volumeServices.set(svcHost, vs);
    return { started: true, store: ports.store };
  }

  /** Start every service (but those a node starts later): the API's bootstrap, volume and backup services, then schedulers. */
  start(): void {
    for (const a of this.apis) a.api.bootstrap();
    for (const [host, v] of this.volumeServices) if (!this.later(host, 'cinder-volume')) v.start();
    for (const [host, b] of this.backupServices) if (!this.later(host, 'cinder-backup')) b.start();
    for (const s of this.schedulers) if (!this.later(s.host, 'cinder-scheduler')) s.start();
  }

  /** The node a service host (host or host@backend) belongs to. */
  private nodeOf(host: string): NodeSpec | undefined {
    const base = host.split('@')[0]!;
    return this.spec.nodes.find((n) => (n.DEFAULT.host || n.name) === base || Object.entries(n.backends).some(([g, b]) => volumeServiceHost(n.DEFAULT.host || n.name, g, b.options.backend_host) === host));
  }

  private later(host: string, binary: HeartbeatBinary): boolean {
    return this.nodeOf(host)?.start_later.includes(binary) ?? false;
  }

  /**
   * Deploy a node's service mid-run (one its topology lists under
   * start_later): start it now, as systemctl start would.  Answers the
   * hosts started.
   */
  startLater(nodeName: string, binary: HeartbeatBinary): string[] {
    const node = this.spec.nodes.find((n) => n.name === nodeName);
    if (!node || !node.start_later.includes(binary)) throw new Error(`${nodeName} has no ${binary} to start later`);
    const mine = (host: string): boolean => this.nodeOf(host) === node;
    const services: [string, { start(): void }][] =
      binary === 'cinder-volume' ? [...this.volumeServices] : binary === 'cinder-backup' ? [...this.backupServices] : this.schedulers.map((s) => [s.host, s]);
    const started = services.filter(([host]) => mine(host));
    this.deployed.add(`${nodeName}/${binary}`);
    for (const [, svc] of started) svc.start();
    return started.map(([host]) => host);
  }

  /** The API node requests go to (the first, unless named). */
  api(node?: string): CinderApi {
    const a = node ? this.apis.find((x) => x.node === node) : this.apis[0];
    if (!a) throw new Error(`no cinder-api on node '${node}'; api nodes: ${this.apis.map((x) => x.node).join(', ')}`);
    return a.api;
  }

  /** Make a request now; its outcome is recorded (and passed to `onOutcome`) when answered. */
  submit(ctx: RequestContext, request: CinderRequest, onOutcome?: (o: Outcome) => void, apiNode?: string): void {
    const a = node(this, apiNode);
    const seq = ++this.seq;
    const atMs = a.ports.clock.monoNow();
    a.api.handle(ctx, request, (r: ApiResult) => {
      const o = { seq, atMs, answeredAtMs: a.ports.clock.monoNow(), context: ctx, request, ...r } as Outcome;
      if (this.keepingOutcomes) this.outcomes.push(o);
      onOutcome?.(o);
    });
  }

  // ---- faults ---------------------------------------------------------------

  /**
   * Service faults.  cinder-volume distinguishes a graceful stop (in-flight
   * work finishes) from a crash (it is lost); cinder-backup and
   * cinder-scheduler keep no in-flight driver work here, so for them the two
   * are the same.
   */
  service(ref: ServiceRef): { stop(): void; crash(): void; start(): void; restart(): void } {
    const s = this.serviceControl(ref);
    const key = `${ref.binary} ${ref.host}`;
    const halt = (): void => void this.halted.add(key);
    const run = (): void => void this.halted.delete(key);
    return { stop: () => (s.stop(), halt()), crash: () => (s.crash(), halt()), start: () => (s.start(), run()), restart: () => (s.restart(), run()) };
  }

  private serviceControl(ref: ServiceRef): { stop(): void; crash(): void; start(): void; restart(): void } {
    if (ref.binary === 'cinder-volume') {
      const fail = this.failedToStart.get(ref.host);
      if (fail !== undefined) return { stop: () => {}, crash: () => {}, start: fail, restart: fail };
      const v = this.volumeServices.get(ref.host);
      if (!v) throw new Error(`unknown cinder-volume '${ref.host}'; known: ${[...this.volumeServices.keys()].join(', ')}`);
      return { stop: () => v.stop(), crash: () => v.crash(), start: () => v.start(), restart: () => v.restart() };
    }
    if (ref.binary === 'cinder-backup') {
      const b = this.backupServices.get(ref.host);
      if (!b) throw new Error(`unknown cinder-backup '${ref.host}'; known: ${[...this.backupServices.keys()].join(', ')}`);
      return { stop: () => b.stop(), crash: () => b.stop(), start: () => b.start(), restart: () => (b.stop(), b.start()) };
    }
    const s = this.schedulers.find((x) => x.host === ref.host);
    if (!s) throw new Error(`unknown cinder-scheduler '${ref.host}'`);
    return { stop: () => s.stop(), crash: () => s.stop(), start: () => s.start(), restart: () => (s.stop(), s.start()) };
  }

  /**
   * A node's cinder.conf changed, and its services restart (oslo.config is
   * read at process start): each service running on the node stops and
   * starts again with the new options; one a fault stopped stays stopped
   * (and has the new options when it starts).  A cinder-volume backend
   * keeps its storage (the fake driver, reconfigured); a group newly in
   * enabled_backends starts a new service, one no longer there stops (its
   * row stays and goes down).  Answers what happened, one line per service.
   */
  reconfigure(nodeName: string, conf: Pick<CloudInput['nodes'][number], 'DEFAULT' | 'backends'>): string[] {
    const node = this.spec.nodes.find((n) => n.name === nodeName);
    if (!node) throw new Error(`unknown node '${nodeName}'; nodes: ${this.spec.nodes.map((n) => n.name).join(', ')}`);
    // As the cloud is built: a node that runs no cinder-volume has no backend.
    const backends = node.services.includes('cinder-volume') ? conf.backends : {};
    const next = resolveCloudSpec({ nodes: [{ name: node.name, services: node.services, DEFAULT: conf.DEFAULT, backends }] }).nodes[0]!;
    const oldHost = node.DEFAULT.host;
    if (next.DEFAULT.host !== oldHost) throw new Error(`${nodeName}: host changes from '${oldHost}' to '${next.DEFAULT.host}'; cinder-sim does not move services to a new host name`);
    const deployed = (b: HeartbeatBinary): boolean => node.services.includes(b) && (!node.start_later.includes(b) || this.deployed.has(`${nodeName}/${b}`));
    const wasRunning = (b: HeartbeatBinary, host: string): boolean => deployed(b) && !this.halted.has(`${b} ${host}`);
    const notes: string[] = [];
    const oldBackends = node.backends;
    node.DEFAULT = next.DEFAULT;
    node.backends = next.backends;
    const d = next.DEFAULT;

    if (node.services.includes('cinder-volume')) {
      const hostOf = (group: string, b: BackendSpec): string => volumeServiceHost(oldHost, group, b.options.backend_host);
      for (const [group, b] of Object.entries(oldBackends)) {
        const host = hostOf(group, b);
        const nb = next.backends[group];
        if (nb && hostOf(group, nb) !== host) throw new Error(`${host}: backend_host changes to '${nb.options.backend_host}'; cinder-sim does not move a backend's volumes to a new host name`);
        const running = wasRunning('cinder-volume', host);
        this.volumeServices.get(host)?.crash();
        if (!nb) {
          // No longer a service of this node (its row stays and goes down); the storage stays for a later re-enable.
          this.volumeServices.delete(host);
          this.failedToStart.delete(host);
          if (running) notes.push(`${host} stopped (not in enabled_backends)`);
          continue;
        }
        const built = this.buildVolume(node, group, nb, this.drivers.get(host));
        if (!built.started) notes.push(`${host} failed to start`);
        else if (running) {
          this.volumeServices.get(host)!.start();
          notes.push(`${host} restarted`);
        } else notes.push(`${host} stays stopped`);
      }
      const fresh = Object.entries(next.backends).filter(([group]) => !(group in oldBackends));
      for (const [group, nb] of fresh) {
        const host = hostOf(group, nb);
        // A group enabled again finds its storage as it left it.  Built now even on a node whose
        // cinder-volume is deployed later, as the cloud builds it, so that deploying starts it.
        const built = this.buildVolume(node, group, nb, this.drivers.get(host));
        if (!built.started) notes.push(`${host} failed to start`);
        else if (deployed('cinder-volume')) {
          this.volumeServices.get(host)!.start();
          notes.push(`${host} started (newly in enabled_backends)`);
        } else notes.push(`${host} starts when cinder-volume is deployed`);
      }
      if (deployed('cinder-volume')) {
        const log = this.host.ports(node.name, 'cinder-volume').log.named('cinder.cmd.volume');
        const groups = Object.keys(next.backends);
        if (groups.length === 0) {
          log.error('Configuration for cinder-volume does not specify "enabled_backends". Using DEFAULT section to configure drivers is not supported since Ocata.');
        } else if (groups.every((g) => this.failedToStart.has(hostOf(g, next.backends[g]!)))) {
          log.error('No volume service(s) started successfully, terminating.');
        }
      }
    }

    this.schedulers.forEach((old, i) => {
      if (old.host !== oldHost || !node.services.includes('cinder-scheduler')) return;
      const running = wasRunning('cinder-scheduler', old.host);
      old.stop();
      const s = new SchedulerService(this.host.ports(node.name, 'cinder-scheduler'), d, this.directory, this.opts.shortcuts);
      if (this.lightDecisions) s.dropDecisions();
      // Decisions made before the restart are still to be read by whoever records them.
      s.decisions.push(...old.decisions);
      this.schedulers[i] = s;
      if (running) s.start();
      notes.push(`cinder-scheduler ${old.host} ${running ? 'restarted' : 'stays stopped'}`);
    });

    const backup = this.backupServices.get(oldHost);
    if (backup && node.services.includes('cinder-backup')) {
      const running = wasRunning('cinder-backup', oldHost);
      backup.stop();
      const b = new BackupService(this.host.ports(node.name, 'cinder-backup'), d, backup.driver, this.directory);
      this.backupServices.set(oldHost, b);
      if (running) b.start();
      notes.push(`cinder-backup ${oldHost} ${running ? 'restarted' : 'stays stopped'}`);
    }

    for (const a of this.apis) {
      if (a.node !== nodeName) continue;
      a.api = new CinderApi(a.ports, d, this.directory, this.images);
      notes.push(`cinder-api ${oldHost} restarted`);
    }
    return notes;
  }

  /**
   * Whether answered requests join `outcomes` from now on.  A scenario run
   * hears each answer through submit's callback and records what it keeps
   * itself; a year of a large cloud's answers (each with its API view) is
   * most of its heap.
   */
  keepOutcomes(keep: boolean): void {
    this.keepingOutcomes = keep;
  }

  /** Forget the schedulers' decisions recorded so far (lean runs keep counts only); a scheduler built later keeps light traces too. */
  dropDecisions(): void {
    this.lightDecisions = true;
    for (const s of this.schedulers) s.dropDecisions();
  }

  /**
   * `cinder-manage service remove BINARY HOST` (ServiceCommands.remove):
   * soft-delete the service's row, answering what cinder-manage prints and
   * its exit status.  A service still running recreates its row at its next
   * heartbeat (report_state: "The service database object disappeared,
   * recreating it."), so removal sticks only for a stopped service.
   */
  removeService(binary: HeartbeatBinary, host: string): { exitStatus: 0 | 2; output: string } {
    const t = table(this.store, 'services');
    const id = serviceId(binary, host);
    const row = t.get(id);
    if (!row || row.deleted) {
      return { exitStatus: 2, output: `Host not found. Failed to remove ${binary} on ${host}.\nService ${binary} could not be found on host ${host}.` };
    }
    t.softDelete(id);
    const beats = this.directory.heartbeatSource(id);
    const before = beats?.lastHeartbeatWall() ?? null;
    const node = this.spec.nodes.find((n) => (n.DEFAULT.host || n.name) === host.split('@')[0]) ?? this.spec.nodes[0]!;
    const reportMs = node.DEFAULT.report_interval * 1000;
    const { timers } = this.apis[0]!.ports;
    const recheck = (): void => {
      const now = t.get(id);
      if (!now?.deleted) return;
      const last = beats?.lastHeartbeatWall() ?? null;
      if (last !== null && last !== before) ensureServiceRow(t, id, binary, host, row.availability_zone);
      else if (last !== null) timers.after(reportMs, recheck, `service row ${host}`);
    };
    if (before !== null) timers.after(reportMs, recheck, `service row ${host}`);
    return { exitStatus: 0, output: `Service ${binary} on host ${host} removed.` };
  }

  private volumeService(host: string): VolumeService {
    const v = this.volumeServices.get(host);
    if (!v) throw new Error(`unknown backend '${host}'; known: ${[...this.volumeServices.keys()].join(', ')}`);
    return v;
  }

  /** Faults act on the fake storage only: a real backend's capacity and failures are the host's. */
  private refuseReal(host: string, fault: string): void {
    if (this.realDrivers.has(host)) throw new Error(`${host} is a real backend (loop-lvm): a ${fault} fault cannot act on it`);
  }

  /** Resize a backend's VG (or one pool of a pooled backend). */
  setBackendCapacity(host: string, sizeGb: number, pool?: string): void {
    this.refuseReal(host, 'backend_capacity');
    // The storage of a service that never started: no driver watches it.
    if (this.failedToStart.has(host)) return;
    this.drivers.get(host)?.setCapacity(sizeGb, pool);
    this.volumeService(host).reports.statsChanged();
  }

  /** The backend's storage fails: driver calls fail, stats stop, data becomes unreadable. */
  failBackend(host: string): void {
    this.refuseReal(host, 'backend_failure');
    if (this.failedToStart.has(host)) return;
    this.drivers.get(host)?.failBackend();
    this.volumeService(host).reports.statsChanged();
  }

  recoverBackend(host: string): void {
    this.refuseReal(host, 'backend_failure');
    if (this.failedToStart.has(host)) return;
    this.drivers.get(host)?.recoverBackend();
    this.volumeService(host).reports.statsChanged();
  }

  failBackupTarget(host: string): void {
    this.backupDrivers.get(host)?.failTarget();
    this.backupServices.get(host)?.publish();
  }

  recoverBackupTarget(host: string): void {
    this.backupDrivers.get(host)?.recoverTarget();
    this.backupServices.get(host)?.publish();
  }

  // ---- observation ------------------------------------------------------------

  /** Every initialized backend's pools now, as its driver reports them, with what the volume service has allocated. */
  pools(): PoolCapacity[] {
    const pools: PoolCapacity[] = [];
    for (const [backend, drv] of this.drivers) {
      if (!drv.initialized) continue;
      const spec = drv.spec;
      pools.push(
        ...this.poolsOf(backend, drv.getVolumeStats(), drv.backendFailed, (p) => {
          const pooled = spec.pools?.find((x) => x.pool_name === p.pool_name);
          return spec.pools
            ? { kind: 'pooled', size_gb: pooled?.size_gb ?? (typeof p.total_capacity_gb === 'number' ? p.total_capacity_gb : 0), foreign_lvs_gb: 0, thin_data_percent: spec.thin_data_percent }
            : { kind: p.thin_provisioning_support ? 'lvm-thin' : 'lvm-thick', size_gb: spec.vg_size_gb, foreign_lvs_gb: spec.foreign_lvs_gb, thin_data_percent: spec.thin_data_percent };
        }),
      );
    }
    for (const [backend, drv] of this.realDrivers) {
      if (!drv.initialized || drv.statsUnavailable) continue;
      // A real VG: its size is what LVM reports (loop-lvm keeps no foreign LVs in the VG it made).
      pools.push(
        ...this.poolsOf(backend, drv.getVolumeStats(), false, (p) => ({
          kind: p.thin_provisioning_support ? 'lvm-thin' : 'lvm-thick',
          size_gb: typeof p.total_capacity_gb === 'number' ? p.total_capacity_gb : 0,
          foreign_lvs_gb: 0,
          thin_data_percent: 0,
        })),
      );
    }
    return pools;
  }

  /** One backend's report as PoolCapacity rows, with what its volume service has allocated per pool. */
  private poolsOf(backend: string, stats: VolumeStats, failed: boolean, storage: (p: PoolStats) => PoolStorage): PoolCapacity[] {
    const alloc = this.volumeServices.get(backend)?.allocated();
    return stats.pools.map((p) => ({
      backend,
      pool: p.pool_name,
      total_capacity_gb: p.total_capacity_gb,
      free_capacity_gb: p.free_capacity_gb,
      provisioned_capacity_gb: p.provisioned_capacity_gb,
      allocated_capacity_gb: alloc?.get(p.pool_name) ?? 0,
      failed,
      volume_backend_name: stats.volume_backend_name,
      reported: p,
      storage: storage(p),
    }));
  }

  snapshot(): CloudSnapshot {
    const core = this.apis[0]!.api.core;
    const pools = this.pools();
    const copy = <T>(rows: T[]): T[] => rows.map((r) => ({ ...r }));
    return {
      atMs: this.apis[0]!.ports.clock.monoNow(),
      volumes: copy(table(this.store, 'volumes').list()),
      snapshots: copy(table(this.store, 'snapshots').list()),
      backups: copy(table(this.store, 'backups').list()),
      transfers: copy(table(this.store, 'transfers').list()),
      services: serviceList(core),
      pools,
      decisions: this.schedulers.flatMap((s) => s.decisions),
    };
  }

  /** The first broken invariant, or null. */
  checkInvariants(): string | null {
    return checkInvariants(this.store, this.drivers, this.backupDrivers);
  }
}

function node(c: Cloud, apiNode?: string): { api: CinderApi; ports: ServicePorts } {
  const a = apiNode ? c.apis.find((x) => x.node === apiNode) : c.apis[0];
  if (!a) throw new Error(`no cinder-api on node '${apiNode}'`);
  return a;
}
