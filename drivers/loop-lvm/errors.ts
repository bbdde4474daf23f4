/**
 * Why a loop-lvm call failed, as data.  `NotSupported` is a request the
 * probed mode cannot serve (a snapshot or thin volume in metadata mode):
 * refused, never faked.  `Preflight` is a host that cannot run us, found
 * before anything changed.
 */
export type LoopLvmErrorKind =
  | 'Preflight'
  | 'NotSupported'
  | 'CommandFailed'
  | 'VolumeIsBusy'
  | 'NotFound'
  | 'ISCSITargetCreateFailed'
  | 'NotOurs';

export class LoopLvmError extends Error {
  constructor(
    readonly kind: LoopLvmErrorKind,
    message: string,
    /** The failed command's argv and stderr, when a command failed. */
    readonly detail?: { argv: readonly string[]; exitCode: number; stderr: string },
  ) {
    super(message);
    this.name = 'LoopLvmError';
  }
}
