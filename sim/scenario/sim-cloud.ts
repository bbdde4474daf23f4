import type { ApiResult, CinderRequest, RequestContext } from '../cinder/api/requests.js';
import type { Shortcuts } from '../cinder/shortcuts.js';
import type { World } from '../engine/world.js';
import type { VolumeFacts } from './expectations.js';
import type { NodePlan } from './topology.js';

/**
 * What the scenario runner needs of a simulated cloud.  The adapter in
 * cloud-adapter.ts implements it on top of the services' cloud builder, so
 * the runner does not depend on the services' internals.
 */
export interface SimCloud {
  readonly world: World;
  /** Start every service at the current virtual time. */
  start(): void;
  /** Submit one API request; `done` is called (in virtual time) with the answer. */
  submit(ctx: RequestContext, req: CinderRequest, done: (r: ApiResult) => void): void;
  /** Scheduling decisions so far, oldest first (the list grows). */
  decisions(): readonly CloudDecision[];
  /** How many decisions are recorded now, and how many of them placed a volume. */
  /** Forget the decisions recorded so far (lean runs keep counts only). */
  dropDecisions(): void;
  /** Every service's state now, as service-list and as the scheduler judge it. */
  services(): readonly CloudServiceState[];
  /** Every pool's capacity now, as its driver would report it. */
  pools(): readonly CloudPool[];
  volumes(): readonly VolumeFacts[];
  statusOf(id: string): string | undefined;
  /** Whether a volume ever became usable (launched_at is set on a successful create). */
  launched(id: string): boolean;
  hostOf(id: string): string | undefined;
  /** Crash, stop or restart a service. */
  serviceAction(host: string, binary: string, action: 'crash' | 'stop' | 'restart'): string | null;
  /** Change a pool's physical size. */
  setCapacity(backend: string, pool: string | undefined, totalGb: number): string | null;
  /** Fail or recover a backend's storage. */
  setBackendFailed(backend: string, failed: boolean): string | null;
  /** The first broken invariant (a volume in two places, a pool over-provisioned...), or null. */
  invariant(): string | null;
}

export interface CloudDecision {
  atMs: number;
  operation: string;
  resource: string | null;
  ok: boolean;
  chosen: string | null;
  emptiedBy: string | null;
  message: string | null;
  traceText: string;
  trace: unknown;
}

export interface CloudServiceState {
  host: string;
  binary: string;
  node: string;
  state: 'up' | 'down';
  schedulerState: 'up' | 'down';
  status: 'enabled' | 'disabled';
}

export interface CloudPool {
  pool: string;
  total_capacity_gb: number;
  free_capacity_gb: number;
  allocated_capacity_gb: number;
  provisioned_capacity_gb: number;
}

/** Builds a cloud for a scenario's node plans in a world; `shortcuts` overrides the factory's own (a lean run asks for the fast path). */
export type CloudFactory = (world: World, nodes: readonly NodePlan[], images: Readonly<Record<string, { size_gb: number }>>, shortcuts?: Partial<Shortcuts>) => SimCloud;
