// The page's long tasks (over LONG_MS, default 300 ms) during one run (EXPERIMENT, default interaction-tensor; PRESET,
// default quick), between its log lines and progress phases; with PICK=1 the four Fashion-MNIST files of Debian's
// dataset-fashion-mnist are picked in the page first (PICK and LONG_MS added on 2026-11-28 for cpu-2026-11-28c). From
// the repository root, after npm run build:
//   DIST=<build>/dist/web [PICK=1] [LONG_MS=100] [EXPERIMENT=name] [PRESET=name] node bench/measured/cpu-2026-11-28b/long-tasks.mjs set=value …
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../../scripts/web.mjs';
const sets = process.argv.slice(2);
const { server, url } = await startServer({ root: resolve(process.env.DIST ?? 'dist/web') });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.addInitScript(() => {
  window.longTasks = []; window.lines = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  addEventListener('DOMContentLoaded', () => {
    let seen = 0;
    new MutationObserver(() => { const t = document.getElementById('log').textContent; const all = t.split('\n'); for (; seen < all.length - 1; seen++) window.lines.push([performance.now(), all[seen].slice(0, 300)]); }).observe(document.getElementById('log'), { childList: true, characterData: true, subtree: true });
    let last = '';
    new MutationObserver(() => { const t = document.getElementById('progress').textContent.replace(/: step.*/, ''); if (t !== last) { last = t; window.lines.push([performance.now(), 'progress: ' + t]); } }).observe(document.getElementById('progress'), { childList: true, characterData: true, subtree: true });
  });
});
await page.goto(`${url}?experiment=${process.env.EXPERIMENT ?? 'interaction-tensor'}&preset=${process.env.PRESET ?? 'quick'}&seed=0&backend=wasm${sets.map((x) => `&set=${x}`).join('')}`);
await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
const fashion = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
if (process.env.PICK) await page.setInputFiles('#fashion-files', fashion.map((f) => `/usr/share/datasets/fashion-mnist/${f}`));
await page.click('#run');
await page.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: 1_800_000, polling: 500 });
const r = await page.evaluate(() => ({ lt: window.longTasks, lines: window.lines }));
const ev = [...r.lt.filter(([, d]) => d > Number(process.env.LONG_MS ?? 300)).map(([s, d]) => [s, `LONG TASK ${d.toFixed(0)} ms (ends ${(s + d).toFixed(0)})`]), ...r.lines].sort((a, b) => a[0] - b[0]);
for (const [t, x] of ev) console.log(t.toFixed(0).padStart(7), x);
await browser.close(); server.close();
