/** Text helpers of the HTML report: escaping and number formatting (pure, no DOM). */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML and SVG text and attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A number as a reader wants it: integers whole, others to 4 significant digits, tiny or huge ones in e-notation; null/NaN as '—'. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

/** Nesting shown by fmtValue; deeper values are '…' (a hand-made result.json may nest 20 000 deep). */
const MAX_DEPTH = 8;

/** Any JSON value as short display text (numbers via fmt, arrays joined, objects as key = value). */
export function fmtValue(v: unknown, depth = 0): string {
  if (typeof v === 'number' || v === null || v === undefined) return fmt(v as number | null | undefined);
  if (typeof v === 'boolean' || typeof v === 'string') return String(v);
  if (depth >= MAX_DEPTH) return '…';
  const inner = (x: unknown) => fmtValue(x, depth + 1);
  if (Array.isArray(v)) return v.length > 24 ? `[${v.slice(0, 24).map(inner).join(', ')}, … ${v.length} in all]` : `[${v.map(inner).join(', ')}]`;
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k} = ${inner(x)}`).join(', ');
  return String(v);
}
