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
  if (mirror.base) return;
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
    // No search form in the mirror, a link to its own search instead;
    // the footer names the live site.
    assert.equal(await page.locator('form').count(), 0);
    assert.equal(await page.locator('header a.site-search').getAttribute('href'), 'search/index.html');
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

// searchMirror types q into the mirror's search page and returns the
// results' links once they show.
async function searchMirror(page, q) {
  await page.locator('#search-q').fill(q);
  await page.locator('#search-q').press('Enter');
  const links = page.locator('.search-results li h2 a');
  await links.first().waitFor();
  return links;
}

test('journey: search the mirror without a server, in English and Russian, from a static host and as files', { timeout: 600_000 }, async () => {
  await exportAndServe();
  const { context, page, urls } = await openPage({ ...env, server: { ...env.server, host: mirror.host } });
  try {
    // From the header of any page to the mirror's search page.
    await page.goto(mirror.base + '/en/index.html');
    await page.locator('header a.site-search').click();
    await page.waitForURL(/\/en\/search\/index\.html$/);
    assert.equal(await page.locator('form').count(), 0);
    // The beginning of a word finds the entry; the result opens it.
    let links = await searchMirror(page, 'nalox post');
    const titles = await links.allInnerTexts();
    const hit = titles.findIndex((t) => t.startsWith('Naloxone by post'));
    assert.ok(hit >= 0, `results: ${titles}`);
    assert.match(await page.locator('.search-count').innerText(), /Results: \d/);
    await links.nth(hit).click();
    await page.waitForURL(/\/en\/articles\/naloxone-by-post\/index\.html$/);
    assert.match(await page.locator('main h1').innerText(), /^Naloxone by post/);

    // In Russian, Cyrillic words, ё typed or not.
    await page.goto(mirror.base + '/ru/search/index.html');
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    links = await searchMirror(page, 'НАЛОКСОН почтё');
    assert.match((await links.first().innerText()), /^Налоксон по почте/);
    await links.first().click();
    await page.waitForURL(/\/ru\/articles\/nalokson-po-pochte\/index\.html$/);

    // A word in no entry: the notice, no results.
    await page.goto(mirror.base + '/en/search/index.html');
    await page.locator('#search-q').fill('zzqxjnothere');
    await page.locator('#search-q').press('Enter');
    await page.locator('.search-count', { hasText: 'Nothing found' }).waitFor();
    assert.equal(await page.locator('.search-results li').count(), 0);

    // Only the index's small files were read, from the mirror alone.
    const index = urls.filter((u) => u.includes('/search-index/'));
    assert.ok(index.some((u) => u.endsWith('/manifest.js')), 'the manifest was loaded');
    assert.ok(!index.some((u) => u.includes('/en/search-index/') && u.includes('/ru/')), 'no other language');
    const others = urls.filter((u) => !u.startsWith(mirror.base) && !u.startsWith('data:'));
    assert.deepEqual(others, [], 'requests to other hosts');

    // Opened as files (a USB stick): the index files are scripts, which
    // Chromium runs from file:// where it refuses fetch().
    const files = await env.browser.newContext();
    try {
      const local = await files.newPage();
      local.setDefaultTimeout(15_000);
      await local.goto('file://' + path.join(mirror.dir, 'en', 'search', 'index.html'));
      const fetched = await local.evaluate(() => fetch('../search-index/manifest.js').then(() => 'read', () => 'refused'));
      assert.equal(fetched, 'refused', 'Chromium refuses fetch() from file://: why the index files are scripts');
      links = await searchMirror(local, 'naloxone');
      assert.ok((await links.allInnerTexts()).some((t) => t.startsWith('Naloxone by post')));
      await links.first().click();
      await local.waitForURL(/^file:.*\/en\/.*\/index\.html$/);
    } finally {
      await files.close();
    }
  } finally {
    await context.close();
  }
});
