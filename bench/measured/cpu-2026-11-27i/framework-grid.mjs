import { sim } from './framework-grid-sim.mjs';
const kMode = process.argv[2];
const out = [];
for (const tD of [1,2,3,4,6,8,12]) for (const tR of [4,8,12,20,30,40,60]) for (const nD of [1,2,3]) for (const nR of [1,2,3]) for (const pD of [0.5,0.6,0.7,0.8,0.9]) for (const c of [1,2,3,4,6]) {
  if (nD*2 > tD || nR*2 > tR || c > tD+tR) continue;
  const base = { tD, tR, nD, nR, pD, c };
  const g = (p) => { const r = sim(p, 1, 20, 1000, kMode); return r.agreement - r.accuracy; };
  const b = g(base); if (Math.abs(b) > 0.015) continue;
  const r = [b, g({ ...base, tR: 3*tR }), g({ ...base, nR: 2*nR }), g({ ...base, tR: 3*tR, tD: 3*tD }), g({ ...base, nR: 2*nR, nD: 2*nD })];
  const score = Math.min(Math.abs(r[1]), Math.abs(r[2])) - Math.max(Math.abs(r[3]), Math.abs(r[4]), Math.abs(r[0]));
  out.push({ base, r: r.map((x) => +x.toFixed(3)), score: +score.toFixed(3) });
}
out.sort((a, b) => b.score - a.score);
for (const o of out.slice(0, 15)) console.log(JSON.stringify(o));
console.log('candidates', out.length);
