import { backendOptions, defaultOptions } from '../cinder/cloud/options.js';
import type { CloudInput } from '../cinder/cloud/spec.js';
import type { NodePlan } from './topology.js';

const GIB = 1024 ** 3;

/** Keep only the keys a strict zod object knows; cinder.conf carries many the cloud does not model. */
function pick(obj: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function backendInput(b: Record<string, unknown>): Record<string, unknown> {
  const out = pick(b, Object.keys(backendOptions.shape));
  const extra = out['extra_capabilities'];
  if (typeof extra === 'string') {
    try {
      out['extra_capabilities'] = JSON.parse(extra) as unknown;
    } catch {
      delete out['extra_capabilities'];
    }
  }
  return out;
}

/** The services' cloud input from the scenario's node plans. */
export function cloudInput(plans: readonly NodePlan[], images: Readonly<Record<string, { size_gb: number }>>): CloudInput {
  const defaultKeys = Object.keys(defaultOptions.shape);
  return {
    nodes: plans.map((p) => ({
      name: p.name,
      clock: p.clock,
      services: p.services as CloudInput['nodes'][number]['services'],
      DEFAULT: defaultOptions.parse(pick(p.DEFAULT, defaultKeys)),
      backends: p.services.includes('cinder-volume') ? Object.fromEntries(Object.entries(p.backends).map(([g, b]) => [g, backendInput(b)])) : {},
    })) as CloudInput['nodes'],
    images: Object.entries(images).map(([name, i]) => ({ id: name, name, size_bytes: i.size_gb * GIB })),
  };
}
