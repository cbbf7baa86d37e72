/**
 * Ctrl-C (SIGINT) and SIGTERM (`kill`, a batch scheduler ending a job) for the CLI, one state for the whole
 * command: the first signal asks the work in progress to stop after its current step (a run saves its checkpoint
 * and writes what it measured; a suite or sweep starts no further run), a second aborts at once without saving.
 * `run`, `run suite` and `sweep` nest (a suite runs `run`s), so the handlers are installed by the outermost and
 * the request is seen by all.
 */

/** The signals handled, each with how messages and result.json's stoppedBy name it and its number. */
const SIGNALS = { SIGINT: { cause: 'Ctrl-C', number: 2 }, SIGTERM: { cause: 'SIGTERM', number: 15 } } as const;
type HandledSignal = keyof typeof SIGNALS;

let requested: HandledSignal | null = null;
let depth = 0;

function onSignal(signal: HandledSignal): void {
  if (requested) {
    console.error(`\naborted (second ${SIGNALS[signal].cause}): nothing more is written`);
    process.exit(128 + SIGNALS[signal].number);
  }
  requested = signal;
  console.error(`\n${SIGNALS[signal].cause}: stopping after the current step (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to abort without saving)…`);
}

/** Runs `work` with the Ctrl-C and SIGTERM handlers installed (once, by the outermost caller). */
export async function withInterrupt<T>(work: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    requested = null;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    return await work();
  } finally {
    if (--depth === 0) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

/** Whether Ctrl-C was pressed or SIGTERM received since the outermost `withInterrupt` began. */
export function interruptRequested(): boolean {
  return requested !== null;
}

/** What asked the command to stop, as messages and result.json's stoppedBy say it: 'Ctrl-C' or 'SIGTERM' ('Ctrl-C' when nothing did). */
export function interruptCause(): string {
  return SIGNALS[requested ?? 'SIGINT'].cause;
}

/** The exit code of a command stopped by a signal, as shells report it: 128 + its number (130 for Ctrl-C, 143 for SIGTERM). */
export function interruptedExitCode(): number {
  return 128 + SIGNALS[requested ?? 'SIGINT'].number;
}
