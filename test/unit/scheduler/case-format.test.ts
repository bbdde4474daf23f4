import { describe, expect, test } from 'vitest';
import { caseSchema, caseOutput, runCase, VolumeCounts, type CaseResult } from '../../../sim/cinder/scheduler/case.js';
import { World } from '../../../sim/engine/world.js';

/** Decide a case (docs/case-format.md) as `cinder-sim schedule` does; one result per request. */
function decide(input: unknown): CaseResult[] {
  const c = caseSchema.parse(input);
  const world = new World({ seed: '1' });
  const node = world.addNode('scheduler');
  const out = caseOutput(c, runCase(c, { clock: node.clock, chanceRng: world.rng.stream('weigher:ChanceWeigher') }));
  return 'results' in out ? out.results : [out];
}

const pool = (pool_name: string, volume_count: number) => ({ pool_name, total_capacity_gb: 1000, free_capacity_gb: 900, volume_count });
const fleet = [{ host: 'n1@thick', capabilities: { volume_backend_name: 'thick', total_capacity_gb: 1000, free_capacity_gb: 900 } }];

describe("volume counts follow Cinder's query: host == X or host LIKE 'X#%'", () => {
  test.each([
    ['a pool host counts its own volumes', 'x@a#p1', 5],
    ['a backend host counts the volumes of all its pools and its own', 'x@a', 1 + 5 + 2],
    ['a pool whose name starts another pool name counts only its own', 'x@a#p', 2],
    ['a host with no volumes', 'y@b', 0],
    ['no prefix match without "#"', 'x@', 0],
  ])('%s', (_what, host, want) => {
    const counts = new VolumeCounts();
    counts.add('x@a', 1);
    counts.add('x@a#p1', 5);
    counts.add('x@a#p', 2);
    expect(counts.countFor(host)).toBe(want);
  });

  test("VolumeNumberWeigher: a pool named '' (host X) counts every volume of its backend", () => {
    const results = decide({
      config: { weighers: ['VolumeNumberWeigher'] },
      backends: [
        { host: 'x@a', capabilities: { volume_backend_name: 'a', pools: [pool('', 1), pool('p1', 5)] } },
        { host: 'y@b', capabilities: { volume_backend_name: 'b', pools: [pool('p', 4)] } },
      ],
      requests: [{ size: 10 }, { size: 10 }],
    });
    // x@a counts 1 + 5 = 6 volumes, x@a#p1 5, y@b#p 4: fewest wins (multiplier -1).
    expect(results[0]!.weighed.map((w) => w.host)).toEqual(['y@b#p', 'x@a#p1', 'x@a']);
    // The volume placed on y@b#p makes 5 there; the tie with x@a#p1 goes to the first candidate.
    expect(results[1]!.weighed.map((w) => w.host)).toEqual(['x@a#p1', 'y@b#p', 'x@a']);
  });
});

describe("the case format's defaults appear in Cinder's error texts", () => {
  const retype = { operation: 'retype', size: 10, host: 'n1@thick#thick' };
  const platinum = { name: 'plat', extra_specs: { tier: 'platinum' } };

  test('volume_id defaults to vol-%04d of the request index; the type carries id "type-<name>" and qos_specs_id None', () => {
    const [r0, r1] = decide({ backends: fleet, requests: [{ ...retype, volume_type: platinum }, { ...retype, volume_type: platinum }] });
    expect(r0!.error).toBe("No valid backend was found. No valid backends for volume vol-0000 with type {'name': 'plat', 'extra_specs': {'tier': 'platinum'}, 'id': 'type-plat', 'qos_specs_id': None}");
    expect(r1!.error).toContain('for volume vol-0001 with type');
  });

  test('given ids are kept, in the order given; an explicit null volume_id prints None', () => {
    const [r] = decide({ backends: fleet, request: { ...retype, volume_id: null, volume_type: { name: 'plat', id: 'abc', qos_specs_id: 'q1', extra_specs: { tier: 'platinum' } } } });
    expect(r!.error).toBe("No valid backend was found. No valid backends for volume None with type {'name': 'plat', 'id': 'abc', 'qos_specs_id': 'q1', 'extra_specs': {'tier': 'platinum'}}");
  });

  test('a type without a name gets id "type-None"', () => {
    const [r] = decide({ backends: fleet, request: { ...retype, volume_type: { extra_specs: { tier: 'platinum' } } } });
    expect(r!.error).toContain("'id': 'type-None', 'qos_specs_id': None}");
  });

  test('extend to a host that is not a candidate names the default volume id', () => {
    const [r] = decide({ backends: fleet, request: { operation: 'extend_volume', size: 10, new_size: 20, host: 'nowhere@x#x' } });
    expect(r!.error).toBe('Cannot place volume vol-0000 on nowhere@x#x.');
  });

  test('extra-spec values must be strings (the type dict is otherwise free-form)', () => {
    const r = caseSchema.safeParse({ backends: fleet, request: { size: 1, volume_type: { name: 't', extra_specs: { iops: 3000 } } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['request.volume_type.extra_specs.iops', 'extra-spec values must be strings']]);
  });
});
