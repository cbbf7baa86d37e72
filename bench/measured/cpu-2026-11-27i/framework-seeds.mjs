import { frameworkSweep } from '/tmp/fw/fw.mjs';
const all = [];
for (let seed = 0; seed < 10; seed++) all.push(frameworkSweep(seed));
const names = all[0].map((r) => r.change);
names.forEach((name, i) => {
  const acc = all.map((s) => s[i].accuracy), agr = all.map((s) => s[i].agreement), gap = all.map((s) => s[i].agreement - s[i].accuracy);
  const mean = (x) => x.reduce((a, b) => a + b) / x.length;
  console.log(`${name.padEnd(10)} accuracy ${mean(acc).toFixed(3)} agreement ${mean(agr).toFixed(3)} gap ${mean(gap).toFixed(3)} [${Math.min(...gap).toFixed(3)}, ${Math.max(...gap).toFixed(3)}]  seed0 ${gap[0].toFixed(3)}`);
});
