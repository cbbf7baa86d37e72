/**
 * Whether a run stopped early: not whether a stop was asked for, but whether the run was told so. A stop asked
 * for after the run's last point where it could stop (during an ensemble's analysis, say) leaves the run to
 * finish whole, and its result is not partial.
 */

/** A run's view of stop requests: `shouldStop` for its context, and `acted`, true once shouldStop has said true to it. */
export interface TrackedStop {
  shouldStop: () => boolean;
  acted: () => boolean;
}

/** Wraps `requested` (Ctrl-C, the Stop button) so that the caller can tell a stopped run from one that finished. */
export function trackedStop(requested: () => boolean): TrackedStop {
  let told = false;
  return {
    shouldStop: () => {
      const stop = requested();
      if (stop) told = true;
      return stop;
    },
    acted: () => told,
  };
}
