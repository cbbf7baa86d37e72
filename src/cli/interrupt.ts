/**
 * Ctrl-C for the CLI, one state for the whole command: the first press asks the work in progress to stop after
 * its current step (a run writes what it measured; a suite or sweep starts no further run), a second aborts at
 * once without saving. `run`, `run suite` and `sweep` nest (a suite runs `run`s), so the handler is installed
 * by the outermost and the request is seen by all.
 */

let requested = false;
let depth = 0;

function onSigint(): void {
  if (requested) {
    console.error('\naborted (second Ctrl-C): nothing more is written');
    process.exit(130);
  }
  requested = true;
  console.error('\nstopping after the current step (Ctrl-C again to abort without saving)…');
}

/** Runs `work` with the Ctrl-C handler installed (once, by the outermost caller). */
export async function withInterrupt<T>(work: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    requested = false;
    process.on('SIGINT', onSigint);
  }
  try {
    return await work();
  } finally {
    if (--depth === 0) process.off('SIGINT', onSigint);
  }
}

/** Whether Ctrl-C was pressed since the outermost `withInterrupt` began. */
export function interruptRequested(): boolean {
  return requested;
}

/** The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;
