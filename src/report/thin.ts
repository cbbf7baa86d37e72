/**
 * Thinning a long line for drawing, shared by the report's SVG plots and the web page's live plots: of an
 * unbroken piece of samples, keep per drawing column the lowest and highest (and, with `ends`, the first and
 * last), so spikes stay visible and the drawn line looks the same at a fraction of the points.
 */

/** The indices of `piece` (ascending sample indices, one unbroken piece) to draw, in order, without repeats. */
export function thinnedPiece(piece: readonly number[], column: (i: number) => number, y: (i: number) => number, ends: boolean): number[] {
  const out: number[] = [];
  let current = NaN;
  let first = -1;
  let last = -1;
  let low = -1;
  let high = -1;
  const flush = (): void => {
    if (first < 0) return;
    const kept = ends ? [first, low, high, last] : [low, high];
    for (const i of kept.sort((a, b) => a - b)) if (out.at(-1) !== i) out.push(i);
  };
  for (const i of piece) {
    const c = column(i);
    if (first < 0 || c !== current) {
      flush();
      current = c;
      first = low = high = i;
    } else {
      if (y(i) < y(low)) low = i;
      if (y(i) > y(high)) high = i;
    }
    last = i;
  }
  flush();
  return out;
}
