import { PyError } from '../python.js';
import { PASS, type BackendFilter } from '../types.js';
import { isUuidLike } from './affinity.js';

/** Schedule on the compute host running the instance in the `local_to_instance` hint. */
export const InstanceLocalityFilter: BackendFilter = {
  describe: "keep pools on the host of the instance in the 'local_to_instance' hint",
  backendPasses(pool, ctx) {
    const uuid = ctx.props.scheduler_hints?.['local_to_instance'];
    if (uuid === undefined || uuid === null || uuid === '' || uuid === false) return PASS;
    if (!isUuidLike(uuid)) throw new PyError('InvalidUUID', `Expected a UUID but received ${String(uuid)}.`);
    const instanceHost = ctx.lookups.instanceHost(uuid as string);
    if (instanceHost === undefined) throw new PyError('CinderException', 'Hint "local_to_instance" not supported.');
    const host = pool.backendId.split('#')[0]!.split('@')[0]!;
    return instanceHost === host ? PASS : { pass: false, reason: 'not_local_to_instance', instance: uuid as string, instanceHost, host };
  },
};
