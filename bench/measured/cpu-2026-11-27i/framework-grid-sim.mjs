// variant simulation: kMode 'all' (current) or 'class' (shared learned features of the point's class)
export function sim(params, seed, models = 20, points = 2000, kMode = 'all') {
  const { tD, tR, nD, nR, pD, c } = params;
  let s = seed * 2654435761 % 4294967296 || 1;
  const u = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const perClass = tD + tR;
  const weight = Array.from({ length: perClass }, (_, f) => (f < tD ? (pD * nD) / tD : ((1 - pD) * nR) / tR));
  const sets = [];
  for (let m = 0; m < models; m++) {
    const learned = new Uint8Array(2 * perClass);
    for (let cls = 0; cls < 2; cls++) { const w = weight.slice(); for (let p = 0; p < c; p++) { const tot = w.reduce((a, b) => a + b, 0); if (tot <= 0) break; let x = u() * tot; let f = 0; while (f < perClass - 1 && x >= w[f]) x -= w[f++]; learned[cls * perClass + f] = 1; w[f] = 0; } }
    sets.push(learned);
  }
  const shared = [0, 1].map((cls) => { const a = new Int32Array(models * models); for (let i = 0; i < models; i++) for (let j = 0; j < models; j++) for (let f = 0; f < perClass; f++) a[i * models + j] += sets[i][cls * perClass + f] & sets[j][cls * perClass + f]; return a; });
  let right = 0, agree = 0, pairs = 0;
  for (let n = 0; n < points; n++) {
    const cls = u() < 0.5 ? 0 : 1;
    const dom = u() < pD; const [lo, count, size] = dom ? [0, nD, tD] : [tD, nR, tR];
    const idx = Array.from({ length: size }, (_, i) => i); for (let i = size - 1; i > 0; i--) { const j = Math.floor(u() * (i + 1)); [idx[i], idx[j]] = [idx[j], idx[i]]; }
    const feats = idx.slice(0, count).map((i) => lo + i);
    const sees = sets.map((set) => feats.some((f) => set[cls * perClass + f]));
    const guess = sets.map(() => (u() < 0.5 ? 0 : 1));
    for (let m = 0; m < models; m++) right += sees[m] ? 1 : guess[m] === cls ? 1 : 0;
    for (let a = 0; a < models; a++) for (let b = a + 1; b < models; b++) {
      pairs++;
      if (sees[a] && sees[b]) agree++;
      else if (sees[a] !== sees[b]) agree += 0.5;
      else { const k = kMode === 'all' ? shared[0][a * models + b] + shared[1][a * models + b] : shared[cls][a * models + b]; const z = k > 0 ? 0.9 : 0; agree += z + (1 - z) / 2; }
    }
  }
  return { accuracy: right / (models * points), agreement: agree / pairs };
}
