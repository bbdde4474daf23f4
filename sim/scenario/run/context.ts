import type { ApiResult, CinderRequest } from '../../cinder/api/requests.js';
import type { World } from '../../engine/world.js';
import type { CloudView } from '../../harness/view.js';
import type { LoadedScenario } from '../loader.js';
import type { RequestRecord } from '../outcome.js';
import type { Recorder } from './recorder.js';

/**
 * Make one request as `project`, recorded under `source`; `done` gets the
 * answer and its record.  `apiVersion`: the microversion it carries (default:
 * the scenario's api_version as cinderclient negotiates it); `via`: the node
 * whose cinder-api takes it (default: the first).
 */
export type Submit = (source: string, project: string, req: CinderRequest, done: (r: ApiResult, rec: RequestRecord) => void, apiVersion?: string, via?: string) => void;

/**
 * The compute host's side of an attach in a live run (os-brick): it
 * connects to the target the connection info names, writes and reads data,
 * and answers the lines it prints, as an event of the world.
 */
export type Initiator = (connectionInfo: unknown, done: (lines: string[]) => void) => void;

/** What the parts of a run (steps, workloads, faults) share. */
export interface RunContext {
  readonly loaded: LoadedScenario;
  /** The run's root seed (request ids derive from it). */
  readonly seed: string;
  readonly world: World;
  readonly cloud: CloudView;
  readonly durationMs: number;
  readonly recorder: Recorder;
  readonly submit: Submit;
  /** Live runs: a successful `nova volume-attach` connects through it. */
  readonly initiator?: Initiator;
}
