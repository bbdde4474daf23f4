import { PASS, type BackendFilter } from '../types.js';

/** Skip pools a rescheduled request already tried (filter_properties.retry.backends). */
export const IgnoreAttemptedHostsFilter: BackendFilter = {
  describe: 'drop pools this request already tried (retry.backends)',
  backendPasses(pool, ctx) {
    const retry = ctx.props.retry;
    if (!retry) return PASS;
    return retry.backends.includes(pool.backendId) ? { pass: false, reason: 'already_attempted', attempts: retry.num_attempts, attempted: retry.backends } : PASS;
  },
};
