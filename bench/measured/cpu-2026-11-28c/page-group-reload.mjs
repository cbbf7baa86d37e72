// gde on WebGPU (SwiftShader) in the web page, its four members trained together (modelsAtOnce 0: all at once on WebGPU):
// one run uninterrupted, and one reloaded inside the group (after the page's save at step 200) and resumed from the kept run.
// Prints both summaries' equality. From the repository root after npm run build: node bench/measured/cpu-2026-11-28c/page-group-reload.mjs
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from '../../../scripts/web.mjs';
const FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--no-sandbox', '--enable-gpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
const sets = ['data=synthetic', 'models=4', 'trainSize=400', 'testSize=200', 'hidden=32', 'maxEpochs=80', 'batchSize=20', 'lr=0.002'];
const { server, url } = await startServer({ root: resolve(process.env.DIST ?? 'dist/web') });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
const context = await browser.newContext({ acceptDownloads: true });
const q = `${url}?experiment=gde&preset=quick&seed=0&backend=webgpu${sets.map((x) => `&set=${x}`).join('')}`;
async function download(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
  return JSON.parse(readFileSync(await dl.path(), 'utf8'));
}
const ready = (p) => p.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
const done = (p) => p.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: 900_000, polling: 500 });
try {
  const a = await context.newPage();
  await a.goto(q); await ready(a);
  let t = Date.now();
  await a.click('#run'); await done(a);
  const plain = await download(a);
  console.log(`plain: ${((Date.now() - t) / 1000).toFixed(1)} s, backend ${plain.backend?.name}, summary ${JSON.stringify(plain.summary)}`);
  console.log((await a.textContent('#log')).split('\n').filter((l) => /stacked|model \d:/.test(l)).join('\n'));
  await a.close();
  const b = await context.newPage();
  await b.goto(q); await ready(b);
  await b.click('#run');
  // Past the page's first save (every 200 steps) inside the group.
  for (let i = 0; ; i++) { const txt = await b.textContent('#progress'); const m = /: step (\d+) of/.exec(txt); if (m && Number(m[1]) > 4 * 250) break; await b.waitForTimeout(50); }
  console.log(`reloading at: ${await b.textContent('#progress')}`);
  await b.reload(); await ready(b);
  console.log(`kept: ${JSON.stringify(await b.$$eval('#kept-runs li', (l) => l.map((x) => x.textContent)))}`);
  t = Date.now();
  await b.click('#kept-runs li button[data-action="resume"]');
  await done(b);
  const resumed = await download(b);
  console.log(`resumed: ${((Date.now() - t) / 1000).toFixed(1)} s; ${(await b.textContent('#log')).split('\n').filter((l) => /resum|checkpoint/.test(l)).join(' | ')}`);
  console.log(`same summary: ${JSON.stringify(resumed.summary) === JSON.stringify(plain.summary)}; warnings ${JSON.stringify(resumed.warnings)}`);
} finally {
  await browser.close(); server.close();
}
