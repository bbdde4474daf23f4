import { describe, expect, it } from 'vitest';
import { ApiCore } from '../../../sim/cinder/api/core.js';
import { SeededRng } from '../../../sim/engine/rng.js';
import type { ServiceDefaults } from '../../../sim/cinder/config/index.js';
import type { ServiceDirectory } from '../../../sim/cinder/service/index.js';
import type { ServicePorts } from '../../../sim/ports/service.js';
import type { Rng } from '../../../sim/ports/rng.js';

/** The ids as the API first built them, a digit at a time: the reference the flat-string builder keeps to. */
function referenceUuid(rng: Rng): string {
  const h = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(0, 15)];
    return s;
  };
  const variant = '89ab'[rng.int(0, 3)];
  return `${h(8)}-${h(4)}-4${h(3)}-${variant}${h(3)}-${h(12)}`;
}

function referenceHex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(0, 15)];
  return s;
}

function core(rng: Rng): ApiCore {
  // uuid() and hex() read nothing but the API's random stream.
  const ports = { rng } as unknown as ServicePorts;
  return new ApiCore(ports, {} as ServiceDefaults, {} as ServiceDirectory, new Map());
}

describe('API ids', () => {
  it('uuid() and hex() give the same ids from the same stream as the digit-at-a-time reference', () => {
    const api = core(new SeededRng('7', 'service:api'));
    const ref = new SeededRng('7', 'service:api');
    for (let i = 0; i < 5000; i++) {
      expect(api.uuid()).toBe(referenceUuid(ref));
      const n = 1 + (i % 40);
      expect(api.hex(n)).toBe(referenceHex(ref, n));
    }
    // Both consumed the stream alike: the next draws agree.
    expect(api.ports.rng.next()).toBe(ref.next());
  });

  it('a uuid has the version 4 layout', () => {
    expect(core(new SeededRng('1', 'x')).uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
