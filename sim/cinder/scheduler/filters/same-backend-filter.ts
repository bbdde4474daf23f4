import { PASS, type BackendFilter } from '../types.js';
import { affinityUuids, volumesOn } from './affinity.js';

/** Schedule on the same backend as the volumes in the `same_host` hint. */
export const SameBackendFilter: BackendFilter = {
  describe: "keep pools holding the volumes named in the 'same_host' hint",
  backendPasses(pool, ctx) {
    const hint = ctx.props.scheduler_hints?.['same_host'];
    const uuids = affinityUuids(hint);
    if (uuids === null) return { pass: false, reason: 'hint_not_uuid', hint: 'same_host', value: hint ?? null };
    if (uuids.length === 0) return PASS;
    return volumesOn(pool, uuids, ctx).length > 0 ? PASS : { pass: false, reason: 'not_with_volumes', volumes: uuids };
  },
};
