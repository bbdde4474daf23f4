import { PASS, type BackendFilter } from '../types.js';
import { affinityUuids, volumesOn } from './affinity.js';

/** Schedule away from the backends of the volumes in the `different_host` hint. */
export const DifferentBackendFilter: BackendFilter = {
  describe: "drop pools holding any volume named in the 'different_host' hint",
  backendPasses(pool, ctx) {
    const hint = ctx.props.scheduler_hints?.['different_host'];
    const uuids = affinityUuids(hint);
    if (uuids === null) return { pass: false, reason: 'hint_not_uuid', hint: 'different_host', value: hint ?? null };
    if (uuids.length === 0) return PASS;
    const here = volumesOn(pool, uuids, ctx);
    return here.length === 0 ? PASS : { pass: false, reason: 'holds_volumes', volumes: here };
  },
};
