/**
 * Standard base64 (RFC 4648, with '=' padding) of byte arrays, table-driven: checkpoints and exact result
 * details store every float as base64 of its bytes, and an ensemble's kept activations run to hundreds of
 * megabytes over a run. Going through a binary string and btoa/atob moved about 23 MB/s on the dev box;
 * these loops move about twenty times that. No platform API beyond TextDecoder, so the bundle stays neutral.
 */
import { CheckpointError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 61; // '='
/** ASCII code of each 6-bit digit. */
const DIGIT = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Two ASCII codes (little-endian in one u16) for each 12-bit value: half of a 3-byte group per lookup. */
const PAIR = new Uint16Array(4096);
for (let v = 0; v < 4096; v++) PAIR[v] = DIGIT[v >> 6]! | (DIGIT[v & 63]! << 8);
/** 6-bit value of each ASCII code, 255 for codes outside the alphabet. */
const VALUE = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) VALUE[DIGIT[i]!] = i;
const ascii = new TextDecoder();

/** The base64 text of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const whole = n - (n % 3);
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  // Two ASCII codes per u16 store land in memory order on a little-endian platform, the only kind featurelab
  // runs on (the codec writes typed arrays' bytes in platform order, little-endian there; see codec.ts).
  const pairs = new Uint16Array(out.buffer, 0, out.length >> 1);
  let p = 0;
  for (let i = 0; i < whole; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    pairs[p++] = PAIR[v >>> 12]!;
    pairs[p++] = PAIR[v & 4095]!;
  }
  let o = p * 2;
  const rest = n - whole;
  if (rest > 0) {
    const v = (bytes[whole]! << 16) | (rest === 2 ? bytes[whole + 1]! << 8 : 0);
    out[o++] = DIGIT[v >>> 18]!;
    out[o++] = DIGIT[(v >>> 12) & 63]!;
    out[o++] = rest === 2 ? DIGIT[(v >>> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return ascii.decode(out);
}

/** The bytes of base64 text `text` (throws CheckpointError, naming the place, on text that is not base64). */
export function decodeBase64(text: string): Uint8Array {
  const len = text.length;
  if (len % 4 !== 0) throw new CheckpointError(`checkpoint: base64 text of length ${len} is not a multiple of 4 (the file is damaged); delete it or pass --fresh`);
  const pad = len === 0 ? 0 : text.charCodeAt(len - 1) === PAD ? (text.charCodeAt(len - 2) === PAD ? 2 : 1) : 0;
  const out = new Uint8Array((len / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < len; i += 4) {
    const last = i + 4 === len;
    const a = digitAt(text, i);
    const b = digitAt(text, i + 1);
    const c = last && pad === 2 ? 0 : digitAt(text, i + 2);
    const d = last && pad >= 1 ? 0 : digitAt(text, i + 3);
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    if (o < out.length) out[o++] = (v >>> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

/** The 6-bit value of the base64 digit at `i` (CheckpointError when it is not one). */
function digitAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const v = code < 256 ? VALUE[code]! : 255;
  if (v === 255) throw new CheckpointError(`checkpoint: character ${JSON.stringify(text[i])} at offset ${i} is not base64 (the file is damaged); delete it or pass --fresh`);
  return v;
}
