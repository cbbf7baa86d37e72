// One checkpoint stage over Chromium's limit on an IndexedDB value (133,169,152 bytes): interaction-tensor in the web
// page with its five members trained together on WASM (modelsAtOnce=5), whose group's text (five members' activations
// on 5000 points, 1024 wide) is about 137 M characters. The page is reloaded once that stage is finished (during the
// untrained models' tensor); the script prints the page's storage warnings, the kept run's line, and whether Resume
// reused the finished group. Run from the repository root after npm run build, with DIST naming the build's dist/web:
//   DIST=dist/web node bench/measured/cpu-2026-11-28c/big-stage.mjs [set=value …]
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../../scripts/web.mjs';

const sets = process.argv.slice(2).length ? process.argv.slice(2) : ['data=synthetic', 'models=5', 'modelsAtOnce=5', 'trainSize=500', 'testSize=5000', 'hidden=1024', 'maxEpochs=2', 'k=20'];
const { server, url } = await startServer({ root: resolve(process.env.DIST ?? 'dist/web') });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
const log = () => page.evaluate(() => document.getElementById('log').textContent);
try {
  await page.goto(`${url}?experiment=interaction-tensor&preset=quick&seed=0&backend=wasm${sets.map((x) => `&set=${x}`).join('')}`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
  const t0 = Date.now();
  await page.click('#run');
  await page.waitForFunction(() => /measuring the untrained|the untrained models' tensor/.test(document.getElementById('log').textContent + document.getElementById('progress').textContent), null, { timeout: 1_800_000, polling: 200 });
  // The group's stage is saved as the untrained models' tensor starts; let the write settle.
  await page.waitForTimeout(5000);
  console.log(`group trained and saved after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`warnings before the reload: ${JSON.stringify((await log()).match(/warning: [^\n]*/g) ?? [])}`);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 600_000 });
  const kept = await page.evaluate(() => [...document.querySelectorAll('#kept-runs li')].map((li) => li.textContent));
  console.log(`kept runs after the reload: ${JSON.stringify(kept)}`);
  if (kept.length > 0) {
    await page.click('#kept-runs li button[data-action="resume"]');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout: 1_800_000, polling: 500 });
    const text = await log();
    console.log(`resumed: state ${await page.evaluate(() => document.body.dataset.state)}; reused the group: ${/'trained models 0–4' finished in an earlier run/.test(text)}; warnings ${JSON.stringify(text.match(/warning: [^\n]*/g) ?? [])}`);
  }
} finally {
  await browser.close();
  server.close();
}
