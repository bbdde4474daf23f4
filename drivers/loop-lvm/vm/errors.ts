/**
 * Why a test VM operation failed, as data.  `NotRunning` is the one a
 * caller most often meets: the agent runner was asked to run a command and
 * no VM of that name is up.
 */
export type VmErrorKind = 'Preflight' | 'Build' | 'Boot' | 'NotRunning' | 'AlreadyRunning' | 'Agent' | 'Timeout';

export class VmError extends Error {
  constructor(
    readonly kind: VmErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'VmError';
  }
}
