import type { CloudInput } from '../cinder/cloud/spec.js';
import type { NodePlan } from './topology.js';

const GIB = 1024 ** 3;

/** The services' cloud input from the scenario's node plans: options resolved from cinder.conf, storage from `backends:`. */
export function cloudInput(plans: readonly NodePlan[], images: Readonly<Record<string, { size_gb: number }>>): CloudInput {
  return {
    nodes: plans.map((p) => ({
      name: p.name,
      clock: p.clock,
      services: p.services as CloudInput['nodes'][number]['services'],
      start_later: p.startLater as CloudInput['nodes'][number]['services'],
      DEFAULT: p.DEFAULT,
      backends: p.services.includes('cinder-volume') ? p.backends : {},
    })),
    images: Object.entries(images).map(([name, i]) => ({ id: name, name, size_bytes: i.size_gb * GIB })),
  };
}
