/**
 * The performance shortcuts, in one place.  Each computes exactly what the
 * plain model of Cinder computes, only faster; a test turns it off (or all
 * of them: `referenceModel`) and holds the two runs to the same outcome.
 */
export interface Shortcuts {
  /** cinder-scheduler pulls the periodic reports of the sources that may change a decision (off: every source at every call). */
  readonly lazyPulls: boolean;
  /** cinder-volume puts runs of periodic-task ticks through the gate in one loop off its clock's line (off: tick by tick). */
  readonly gateSpans: boolean;
  /** cinder-volume computes its periodic capability reports when a scheduler pulls them (off: one fanout per report). */
  readonly lazyReports: boolean;
  /** The host manager re-applies only the reports, rows and consumptions that changed (off: every report at every call). */
  readonly incrementalIntake: boolean;
  /** Trace-light default-like creates are answered from per-pool caches (off: the full filter and weigh loop). */
  readonly fastPath: boolean;
}

/**
 * What a cloud runs with unless told otherwise.  The fast path is off: it
 * keeps no per-pool trace, so only a caller that records no traces (a lean
 * run) asks for it.
 */
export const defaultShortcuts: Shortcuts = { lazyPulls: true, gateSpans: true, lazyReports: true, incrementalIntake: true, fastPath: false };

/** Every shortcut off: the model the shortcuts are tested against. */
export const referenceModel: Shortcuts = { lazyPulls: false, gateSpans: false, lazyReports: false, incrementalIntake: false, fastPath: false };
