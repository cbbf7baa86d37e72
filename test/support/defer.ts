// Imported first by the generated test entry: makes uvu queue suites instead of running them on a timer,
// so the entry can run them all after the backends are initialised and print one summary.
const g = globalThis as { UVU_DEFER?: number; UVU_QUEUE?: unknown[][] };
g.UVU_DEFER = 1;
g.UVU_QUEUE = [['featurelab']];
