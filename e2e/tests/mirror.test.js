'use strict';
// The static mirror (issue 18): `peerpress export static` writes the demo
// site as files; a plain static server (node's http, no peerpress) serves
// them, and Chromium walks pages in two languages, follows the language
// switcher and finds the notice where the forms were.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { useSite, openPage } = require('../lib/fixture');
const { binary } = require('../lib/server');

const env = useSite();
const LIVE = 'https://live.example';
const mirror = { dir: null, server: null, base: null, host: null };

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.xml': 'application/xml',
  '.json': 'application/json', '.ics': 'text/calendar', '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp',
  '.txt': 'text/plain', '.svg': 'image/svg+xml', '.pdf': 'application/pdf',
};

// exportAndServe writes the mirror of the running demo and serves it; the
// demo's server is up once the test runs (useSite's before hook).
async function exportAndServe() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerpress-mirror-'));
  mirror.dir = path.join(tmp, 'mirror');
  execFileSync(binary(tmp), ['export', 'static', '--data', env.server.data, '--base-url', LIVE, '--out', mirror.dir],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PEERPRESS_LOG: '' } });
  mirror.server = http.createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (p.endsWith('/')) p += 'index.html';
    const file = path.join(mirror.dir, path.normalize(p));
    if (!file.startsWith(mirror.dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => mirror.server.listen(0, '127.0.0.1', r));
  mirror.host = `127.0.0.1:${mirror.server.address().port}`;
  mirror.base = `http://${mirror.host}`;
}

after(async () => {
  if (mirror.server) await new Promise((r) => mirror.server.close(r));
  if (mirror.dir) fs.rmSync(path.dirname(mirror.dir), { recursive: true, force: true });
});

test('journey: read the mirror from a static server in English and French', { timeout: 600_000 }, async () => {
  await exportAndServe();
  const { context, page, urls } = await openPage({ ...env, server: { ...env.server, host: mirror.host } });
  try {
    // The front door leads to the default language.
    await page.goto(mirror.base + '/');
    await page.waitForURL(/\/en\/index\.html$/);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    // No search form in the mirror; the footer names the live site.
    assert.equal(await page.locator('form').count(), 0);
    assert.match(await page.locator('.mirror-copy').innerText(), /for reading only/);
    assert.equal(await page.locator(`.mirror-copy a[href^="${LIVE}/en/"]`).count(), 1);

    // An article from the archive, by its link.
    await page.locator('nav.main-nav a').first().click();
    const article = page.locator('main h2 a, main h3 a').first();
    const title = (await article.innerText()).trim();
    await article.click();
    assert.equal((await page.locator('main h1').innerText()).trim(), title);
    assert.match(page.url(), /\/index\.html$/);

    // The language switcher leads to the French page itself.
    const french = page.locator('nav.switcher').getByRole('link', { name: 'Français', exact: true });
    if (await french.count()) {
      await french.click();
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');
      assert.match(await page.locator('.mirror-copy').innerText(), /lecture seule/);
    }

    // The French home page, its stylesheet applied (no unstyled mirror).
    await page.goto(mirror.base + '/fr/index.html');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    const font = await page.evaluate(() => getComputedStyle(document.querySelector('.site-header')).display);
    assert.notEqual(font, '');
    assert.equal(await page.locator('link[rel="stylesheet"]').count(), 1);
    const sheet = await page.evaluate(() => document.styleSheets[0].cssRules.length);
    assert.ok(sheet > 0, 'the stylesheet loaded');

    // Nothing was asked of any other host, and nothing was missing.
    const others = urls.filter((u) => !u.startsWith(mirror.base) && !u.startsWith('data:'));
    assert.deepEqual(others, [], 'requests to other hosts');
  } finally {
    await context.close();
  }
});
