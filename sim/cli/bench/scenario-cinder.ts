import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseRequest, SchedulerCase } from '../../cinder/scheduler/case.js';
import { tables, type VolumeRow, type VolumeTypeRow } from '../../cinder/db/index.js';
import { defaultCloudFactory } from '../../harness/simulated-cloud.js';
import { formatDuration } from '../../scenario/duration.js';
import type { LoadedScenario } from '../../scenario/loader.js';
import { RunAborted, runScenario } from '../../scenario/runner.js';
import { scenarioCloudAt } from '../capacity/sources.js';
import { UserError } from '../io.js';
import { sameSelections, timeCinder } from './schedule.js';
import type { BenchFigures } from './types.js';

/**
 * `bench scenario --cinder N`: the real Cinder 2023.1 scheduler making the
 * run's first N create decisions on the run's own fleet, timed as `bench
 * schedule` times it.  Two short runs of the same scenario and seed give
 * the case: the first, stopped at the Nth create decision, records each
 * create's volume (size, zone, type) and the pool the run chose; the
 * second takes the cloud as the scheduler sees it just before the first of
 * them (`capacity --scenario --at`'s code path): every backend's pools,
 * service rows and the scheduler's options.  The case only adds volumes, so
 * it is held to the run's choices up to the run's first delete.
 *
 * Timed twice: the decisions alone, and the decisions with the capability
 * reports the run's backends send between two of them (`reportsPerDecision`
 * before each request; see REPORTING_HARNESS in schedule.ts).
 */

interface RunCreate {
  atMs: number;
  request: CaseRequest;
  chosen: string | null;
  /** A volume was being deleted or gone by this decision: the case (which only adds volumes) no longer tells the run's state. */
  afterDelete: boolean;
}

export interface CinderSide {
  figures: BenchFigures;
  /** Cinder's time per decision, wall and CPU, ms to two places (absent when Cinder could not be measured). */
  time?: { ms: number; cpuMs: number };
  /** The same with the capability reports taken between decisions. */
  withReports?: { ms: number; cpuMs: number };
}

export function cinderOnScenario(loaded: LoadedScenario, seed: string, sample: number, reportsPerDecision: number): CinderSide {
  const creates = firstCreates(loaded, seed, sample);
  if (creates.length < 2) throw new UserError(`bench scenario --cinder ${sample}: the run makes ${creates.length} create decision(s); it needs 2 or more (raise --requests)`);
  const atMs = Math.max(0, creates[0]!.atMs - 1);
  const cloud = scenarioCloudAt(loaded, atMs, seed, { file: loaded.file, replay: `cinder-sim bench scenario --seed ${seed}`, source: `bench scenario at ${formatDuration(atMs)}` });
  const c: SchedulerCase & { requests: CaseRequest[] } = { ...cloud.case, id: `bench-scenario-seed-${seed}`, requests: creates.map((x) => x.request) };
  const compared = creates.filter((x) => !x.afterDelete).map((x) => x.chosen);
  const figures: BenchFigures = {
    cinder_case_at: formatDuration(atMs),
    // Ours on the case chose the pools the run chose, up to the run's first delete: the case is the run's fleet and requests.
    sample_same_as_run: sameSelections(c, compared, seed),
    sample_compared_with_run: compared.length,
  };
  const dir = mkdtempSync(join(tmpdir(), 'cinder-sim-bench-'));
  try {
    const cinder = timeCinder(c, creates.length, dir);
    if (typeof cinder === 'string') return { figures: { ...figures, cinder } };
    const reporting = timeCinder(c, creates.length, dir, reportsPerDecision);
    if (typeof reporting === 'string') throw new Error(`bench scenario: Cinder with reports: ${reporting}`);
    return {
      figures: {
        ...figures,
        cinder_sample: cinder.sample,
        sample_same_selections: sameSelections(c, cinder.selected, seed),
        // The reports re-apply the state the scheduler holds: Cinder with them chooses as it does without.
        sample_with_reports_same_selections: sameSelections(c, reporting.selected, seed),
      },
      time: { ms: round(cinder.msPerDecision, 2), cpuMs: round(cinder.cpuMsPerDecision, 2) },
      withReports: { ms: round(reporting.msPerDecision, 2), cpuMs: round(reporting.cpuMsPerDecision, 2) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run's first `n` create decisions (each volume's first), with the request as the case format spells it. */
function firstCreates(loaded: LoadedScenario, seed: string, n: number): RunCreate[] {
  const creates: RunCreate[] = [];
  const seen = new Set<string>();
  let deleted = false;
  try {
    runScenario(loaded, {
      seed,
      replay: `cinder-sim bench scenario --seed ${seed}`,
      records: 'lean',
      cloud: (input, sd, shortcuts) => {
        const sc = defaultCloudFactory(input, sd, shortcuts);
        sc.view.traceDecisions((d) => {
          if (d.operation !== 'create_volume' || d.resource === null || seen.has(d.resource) || creates.length >= n) return;
          seen.add(d.resource);
          const volumes = sc.world.db.rows(tables.volumes) as Map<string, VolumeRow>;
          if (!deleted) for (const r of volumes.values()) deleted ||= r.deleted || r.status === 'deleting';
          const v = volumes.get(d.resource);
          if (v === undefined) throw new Error(`bench scenario: decision for ${d.resource}, which the volume table does not hold`);
          const type = (sc.world.db.rows(tables.volumeTypes) as Map<string, VolumeTypeRow>).get(v.volume_type_id);
          creates.push({
            atMs: d.atMs,
            chosen: d.chosen,
            afterDelete: deleted,
            request: {
              operation: 'create_volume',
              size: v.size,
              volume_id: v.id,
              availability_zone: v.availability_zone,
              ...(type !== undefined ? { volume_type: { name: type.name, extra_specs: { ...type.extra_specs } } } : {}),
            },
          });
          if (creates.length === n) sc.world.sim.stop();
        });
        return sc;
      },
    });
  } catch (e) {
    if (e instanceof RunAborted) throw new UserError(`bench scenario: the run stopped at t=${formatDuration(e.atMs)} on a broken invariant (a bug): ${e.message}\nreproduce: ${e.replay}`);
    throw e;
  }
  return creates;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
