// The web page's IndexedDB writes during one ensemble run, for two builds of the page: every put timed where the
// page calls it (IndexedDB copies the value during the call, on the page's thread), the page's long tasks, and the
// run's wall time. Run from the repository root after npm run build, with DIST naming the build's dist/web:
//   DIST=dist/web node bench/measured/cpu-2026-11-28b/kept-run-puts.mjs [set=value …]
// With RELOAD_AT=N the page is reloaded once model N's training shows in the progress line; the script times the
// reload (until the page lists the kept run) and Resume (until the run goes again), then lets the run finish.
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../../scripts/web.mjs';

const sets = process.argv.slice(2).length ? process.argv.slice(2) : ['data=synthetic', 'models=20', 'trainSize=1000', 'testSize=5000', 'hidden=256', 'maxEpochs=2', 'k=50'];
const { server, url } = await startServer({ root: resolve(process.env.DIST ?? 'dist/web') });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.addInitScript(() => {
  const put = IDBObjectStore.prototype.put;
  window.puts = [];
  IDBObjectStore.prototype.put = function (value, key) {
    const t0 = performance.now();
    const r = put.call(this, value, key);
    window.puts.push({ store: this.name, ms: performance.now() - t0, chars: typeof value === 'string' ? value.length : (value?.text?.length ?? 0) + (value?.checkpoint ? value.checkpoint.before.length + value.checkpoint.after.length : 0) });
    return r;
  };
  window.longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
});
await page.goto(`${url}?experiment=interaction-tensor&preset=quick&seed=0&backend=wasm${sets.map((x) => `&set=${x}`).join('')}`);
await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
const t0 = Date.now();
await page.click('#run');
if (process.env.RELOAD_AT) {
  const at = `model ${process.env.RELOAD_AT} of`;
  await page.waitForFunction((at) => document.getElementById('progress').textContent.includes(at), at, { timeout: 1_800_000, polling: 200 });
  const t1 = Date.now();
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 600_000 });
  const reopen = (Date.now() - t1) / 1000;
  const t2 = Date.now();
  await page.click('#kept-runs li button[data-action="resume"]');
  await page.waitForFunction(() => document.body.dataset.state === 'running', null, { timeout: 600_000, polling: 50 });
  console.log(`reloaded at '${at}': the page listed the kept run ${reopen.toFixed(2)} s after the reload; Resume ran ${((Date.now() - t2) / 1000).toFixed(2)} s after the click`);
}
await page.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: 1_800_000, polling: 500 });
const wall = (Date.now() - t0) / 1000;
const r = await page.evaluate(() => ({ state: document.body.dataset.state, puts: window.puts, longTasks: window.longTasks }));
const sum = (x) => x.reduce((a, b) => a + b, 0);
const ms = r.puts.map((p) => p.ms);
console.log(`${process.env.DIST ?? 'dist/web'}: ${r.state} in ${wall.toFixed(1)} s; ${r.puts.length} puts (${r.puts.filter((p) => p.store === 'stages').length} stage texts), ${(sum(r.puts.map((p) => p.chars)) / 1e6).toFixed(1)} M characters put; put calls ${sum(ms).toFixed(0)} ms in all, longest ${Math.max(...ms).toFixed(0)} ms; long tasks ${r.longTasks.length}, ${sum(r.longTasks).toFixed(0)} ms in all, longest ${Math.max(0, ...r.longTasks).toFixed(0)} ms`);
await browser.close();
server.close();
