'use strict';
// Checks on every page kind, public and admin:
//   - axe-core: no violation of impact serious or critical (at 1280 and 360 px);
//   - Nu HTML Checker: no error in the HTML as served (one vnu run for all);
//   - privacy: no request to any host but the site's own;
//   - weight (articles): at most 30 KB transferred in at most 3 requests;
//   - screenshots at 360 and 1280 px in e2e/screenshots/.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { startServer } = require('../lib/server');
const b = require('../lib/browser');
const { visit, uniqueAxe } = require('../lib/pages');
const vnu = require('../lib/vnu');

const ARTICLE = '/en/articles/a-night-on-outreach-with-peer-workers';
const MAX_BYTES = 30_000;
const MAX_REQUESTS = 3;

// Every page kind. path is a string, or a function of the ids found in the
// admin once signed in. lang/dir/status: what the page must answer.
const PUBLIC = [
  { name: 'home-en', path: '/en/', lang: 'en' },
  { name: 'home-ar-rtl', path: '/ar/', lang: 'ar', dir: 'rtl' },
  { name: 'article', path: ARTICLE, lang: 'en', weight: true },
  { name: 'event', path: '/en/events/webinar-naloxone-in-the-hands-of-peers', lang: 'en' },
  { name: 'event-past', path: '/en/events/webinar-who-pays-for-harm-reduction', lang: 'en' },
  { name: 'event-register', path: '/en/events/register/webinar-naloxone-in-the-hands-of-peers', lang: 'en' },
  { name: 'event-new-manage-link', path: '/en/events/register/webinar-naloxone-in-the-hands-of-peers/link', lang: 'en' },
  { name: 'events-upcoming', path: '/en/events/upcoming', lang: 'en' },
  { name: 'events-past-ar-rtl', path: '/ar/events/past', lang: 'ar', dir: 'rtl' },
  { name: 'events-month', path: `/en/events/month/${new Date().toISOString().slice(0, 7)}`, lang: 'en' },
  { name: 'event-bad-link', path: '/en/registration/manage/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', lang: 'en', status: 404 },
  { name: 'call', path: '/en/calls/video-call-stories-of-care', lang: 'en' },
  { name: 'call-apply', path: '/en/calls/apply/video-call-stories-of-care', lang: 'en' },
  { name: 'call-apply-ru', path: '/ru/calls/apply/videokonkurs-istorii-zaboty', lang: 'ru' },
  { name: 'call-bad-link', path: '/fr/application/manage/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', lang: 'fr', status: 404 },
  { name: 'publication', path: '/en/publications/annual-report-2025', lang: 'en' },
  { name: 'statement', path: '/en/statements/joint-statement-health-and-dignity-not-punishment', lang: 'en' },
  { name: 'campaign', path: '/en/campaigns/remember-every-name', lang: 'en' },
  { name: 'tribute-wall', path: '/en/campaigns/remember-every-name/tributes/', lang: 'en' },
  { name: 'tribute-slide', path: '/en/campaigns/remember-every-name/tributes/2', lang: 'en' },
  { name: 'tribute-form', path: '/en/campaigns/remember-every-name/tributes/new', lang: 'en' },
  { name: 'letter-statement', path: '/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury', lang: 'en' },
  { name: 'letter-sign', path: '/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury/sign', lang: 'en' },
  { name: 'letter-signatures', path: '/es/statements/declaracion-conjunta-hepatitis-c-no-es-un-lujo/signatures', lang: 'es' },
  { name: 'letter-bad-link', path: '/ar/signatures/withdraw/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', lang: 'ar', dir: 'rtl', status: 404 },
  { name: 'page-about', path: '/en/about', lang: 'en' },
  { name: 'archive-page-2', path: '/en/articles/page/2', lang: 'en' },
  { name: 'section', path: '/en/section/news', lang: 'en' },
  { name: 'tag', path: '/en/tag/harm-reduction', lang: 'en' },
  { name: 'not-found-404', path: '/en/no-such-page-anywhere', lang: 'en', status: 404 },
  { name: 'not-in-this-language', path: '/ru/articles/a-night-on-outreach-with-peer-workers', lang: 'ru', status: 404 },
  { name: 'search', path: '/en/search?q=naloxone', lang: 'en' },
  { name: 'search-ar-rtl', path: '/ar/search?q=' + encodeURIComponent('الحد من الضرر'), lang: 'ar', dir: 'rtl' },
  { name: 'search-bad-input', path: '/en/search?q=naloxone&year=soon&kind=bogus', lang: 'en', status: 400 },
];

const ADMIN = [
  { name: 'admin-login', path: '/admin/login', anonymous: true },
  { name: 'admin-reset', path: '/admin/reset', anonymous: true },
  { name: 'admin-account', path: '/admin/account' },
  { name: 'admin-two-factor', path: '/admin/account/two-factor' },
  { name: 'admin-audit', path: '/admin/audit' },
  { name: 'admin-entries', path: '/admin/entries' },
  { name: 'admin-entry-edit', path: (ids) => `/admin/entries/${ids.entry}` },
  { name: 'admin-new-entry', path: '/admin/entries/new' },
  { name: 'admin-new-article', path: '/admin/entries/new?kind=article' },
  { name: 'admin-new-event', path: '/admin/entries/new?kind=event' },
  { name: 'admin-new-call', path: '/admin/entries/new?kind=call' },
  { name: 'admin-new-statement', path: '/admin/entries/new?kind=statement' },
  { name: 'admin-event-edit', path: (ids) => `/admin/entries/${ids.event}` },
  { name: 'admin-translation-editor', path: (ids) => `/admin/entries/${ids.entry}/translations/ru` },
  { name: 'admin-revisions', path: (ids) => `/admin/entries/${ids.entry}/translations/en/revisions` },
  { name: 'admin-revision', path: (ids) => ids.revision },
  { name: 'admin-sections', path: '/admin/sections' },
  { name: 'admin-tags', path: '/admin/tags' },
  { name: 'admin-organisations', path: '/admin/organisations' },
  { name: 'admin-users', path: '/admin/users' },
  { name: 'admin-settings', path: '/admin/settings' },
  { name: 'admin-translations-todo', path: '/admin/translations?lang=ru' },
  { name: 'admin-tokens', path: '/admin/tokens' },
  { name: 'admin-moderation', path: '/admin/moderation' },
  { name: 'admin-signatures', path: (ids) => `/admin/entries/${ids.letter}/signatures` },
  { name: 'admin-signatures-waiting', path: '/admin/signatures' },
  { name: 'admin-signatures-import', path: (ids) => `/admin/entries/${ids.letter}/signatures/import` },
  { name: 'admin-campaign-details', path: (ids) => `/admin/entries/${ids.campaign}/campaign` },
  { name: 'admin-campaign-add-tribute', path: (ids) => `/admin/entries/${ids.campaign}/campaign/tributes/new` },
  { name: 'admin-event-details', path: (ids) => `/admin/entries/${ids.event}/event` },
  { name: 'admin-event-registrants', path: (ids) => `/admin/entries/${ids.event}/registrants` },
  { name: 'admin-org-key-unlock', path: '/admin/people/unlock' },
];

// E2E_PAGES=article,admin-login runs only those page kinds (and skips the
// walk over every article), for a quick look at one page.
const only = process.env.E2E_PAGES ? new Set(process.env.E2E_PAGES.split(',')) : null;
const wanted = (kind) => !only || only.has(kind.name);

let server;
let browser;
let adminState;
const ids = {};
const loaded = new Map(); // name → result of visit()
let oncePerBrowser = null; // requests a browser makes once per site (the favicon)

before(async () => {
  server = await startServer();
  browser = await b.launch();
  fs.rmSync(b.SCREENSHOTS, { recursive: true, force: true });
}, { timeout: 600_000 }); // a first `go build` of peerpress can take minutes

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
}, { timeout: 30_000 });

function checks(kind) {
  describe(`${kind.name} (${typeof kind.path === 'string' ? kind.path : 'admin'})`, () => {
    let r;
    before(async () => {
      const urlPath = typeof kind.path === 'function' ? kind.path(ids) : kind.path;
      assert.ok(urlPath, `no address for ${kind.name}`);
      const storageState = kind.admin && !kind.anonymous ? adminState : undefined;
      r = await visit(browser, server, { name: kind.name, path: urlPath, storageState });
      r.path = urlPath;
      loaded.set(kind.name, r);
    }, { timeout: 60_000 });

    test('answers as expected', () => {
      assert.equal(r.status, kind.status || 200, `${r.path} answered ${r.status}`);
      assert.equal(new URL(r.finalURL).pathname + new URL(r.finalURL).search, r.path, `${r.path} ended at ${r.finalURL}`);
      if (kind.lang) assert.equal(r.lang, kind.lang, '<html lang>');
      if (kind.dir) assert.equal(r.dir, kind.dir, '<html dir>');
    });

    test('axe: no serious or critical violations', () => {
      const v = uniqueAxe(r.axe);
      assert.equal(v.length, 0, `axe on ${r.path}:\n${b.formatAxe(v)}`);
    });

    test('privacy: every request goes to the site itself', () => {
      assert.ok(r.urls.length >= 1, 'no request was recorded');
      const bad = b.thirdParty(r.urls, server.host);
      assert.deepEqual(bad, [], `${r.path} made requests to other hosts`);
    });

    test('screenshots at 360 and 1280 px', () => {
      for (const f of r.screenshots) assert.ok(fs.statSync(f).size > 1000, `${f} is empty`);
      assert.equal(r.screenshots.length, 2);
    });

    if (kind.weight) {
      test(`weight: a first visit transfers at most ${MAX_BYTES} bytes in at most ${MAX_REQUESTS} requests`, { timeout: 60_000 }, async () => {
        // In a browser of its own, so that the favicon request counts too.
        const first = await b.firstVisit(server.base + r.path);
        oncePerBrowser = first.oncePerBrowser;
        const w = first.load;
        const detail = w.requests.map((q) => `  ${q.bytes} B  ${q.url}${q.failed ? ` (${q.failed})` : ''}`).join('\n');
        assert.equal(w.status, 200);
        assert.deepEqual(w.blocked, [], 'requests to other hosts');
        assert.ok(w.count <= MAX_REQUESTS, `${r.path}: ${w.count} requests (at most ${MAX_REQUESTS}):\n${detail}`);
        assert.ok(w.bytes <= MAX_BYTES, `${r.path}: ${w.bytes} bytes transferred (at most ${MAX_BYTES}):\n${detail}`);
      });
    }
  });
}

describe('public pages', () => {
  for (const kind of PUBLIC.filter(wanted)) checks(kind);
});

describe('admin pages', () => {
  before(async () => {
    // Sign in once; every admin page opens in a fresh context with the session.
    const context = await b.newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${server.base}/admin/login`);
      await page.fill('#email', server.email);
      await page.fill('#password', server.password);
      await Promise.all([page.waitForURL('**/admin/entries'), page.click('form[action="/admin/login"] button[type=submit]')]);
      adminState = await context.storageState();

      // The demo article's entry, its source revisions.
      await page.goto(`${server.base}/admin/entries?q=${encodeURIComponent('a night on outreach')}`);
      const href = await page.getAttribute('table.list tbody tr:first-child td:first-child a', 'href');
      ids.entry = href.match(/^\/admin\/entries\/(\d+)$/)[1];
      await page.goto(`${server.base}/admin/entries/${ids.entry}/translations/en/revisions`);
      ids.revision = await page.getAttribute('table.list tbody tr:first-child a', 'href');
      // The demo's open webinar (events).
      await page.goto(`${server.base}/admin/entries?q=${encodeURIComponent('naloxone in the hands of peers')}`);
      ids.event = (await page.getAttribute('table.list tbody tr:first-child td:first-child a', 'href')).match(/(\d+)$/)[1];
      // The demo's open letter (letters).
      await page.goto(`${server.base}/admin/entries?q=${encodeURIComponent('a cure for hepatitis c')}`);
      ids.letter = (await page.getAttribute('table.list tbody tr:first-child td:first-child a', 'href')).match(/(\d+)$/)[1];
      // The demo's campaign with a tribute wall.
      await page.goto(`${server.base}/admin/entries?q=${encodeURIComponent('remember every name')}`);
      ids.campaign = (await page.getAttribute('table.list tbody tr:first-child td:first-child a', 'href')).match(/(\d+)$/)[1];
    } finally {
      await context.close();
    }
  }, { timeout: 60_000 });
  for (const kind of ADMIN.filter(wanted)) checks({ ...kind, admin: true });
});

describe('weight of every article page (first visit)', { skip: only ? 'E2E_PAGES is set' : false }, () => {
  test(`each article, in every language, transfers at most ${MAX_BYTES} bytes in at most ${MAX_REQUESTS} requests`, { timeout: 240_000 }, async (t) => {
    // Every article linked from the article archives of every language.
    const articles = new Set();
    for (const lang of ['en', 'ru', 'fr', 'es', 'hi', 'ar']) {
      let next = `/${lang}/articles`;
      while (next) {
        const res = await fetch(server.base + next);
        assert.equal(res.status, 200, next);
        const html = await res.text();
        for (const m of html.matchAll(/href="(\/[a-z]{2}\/articles\/(?!page\/)[^"?#]+)"/g)) articles.add(m[1]);
        const n = html.match(/<a href="([^"]+)" rel="next">/);
        next = n ? n[1] : null;
      }
    }
    assert.ok(articles.size >= 32, `only ${articles.size} articles found`);
    if (!oncePerBrowser) oncePerBrowser = (await b.firstVisit(server.base + ARTICLE)).oncePerBrowser;
    const over = [];
    let heaviest = { bytes: 0 };
    // A few at a time: most of each load is waiting for the network to settle.
    const queue = [...articles];
    await Promise.all(Array.from({ length: 6 }, async () => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        // As a first visitor would: the favicon counts even when this
        // browser has it already.
        const w = b.withOncePerBrowser(await b.measureLoad(browser, server.base + a), oncePerBrowser);
        if (w.bytes > heaviest.bytes) heaviest = { ...w, path: a };
        if (w.status !== 200 || w.count > MAX_REQUESTS || w.bytes > MAX_BYTES || w.blocked.length) {
          over.push(`${a}: status ${w.status}, ${w.count} requests, ${w.bytes} bytes` +
            `${w.blocked.length ? `, requests to other hosts: ${w.blocked.join(' ')}` : ''}`);
        }
      }
    }));
    t.diagnostic(`${articles.size} article pages; heaviest ${heaviest.path}: ${heaviest.bytes} bytes in ${heaviest.count} requests ` +
      `(${heaviest.requests.map((q) => `${new URL(q.url).pathname} ${q.bytes}`).join(', ')})`);
    assert.deepEqual(over, [], `article pages over budget:\n${over.join('\n')}`);
  });
});

describe('Nu HTML Checker', () => {
  let errors;
  before(async () => {
    const files = [...loaded.values()].map((r) => r.htmlFile);
    assert.ok(files.length > 0, 'no page was saved');
    errors = await vnu.validate(files);
  }, { timeout: 180_000 });
  for (const kind of [...PUBLIC, ...ADMIN].filter(wanted)) {
    test(`vnu: no errors in ${kind.name}`, () => {
      const r = loaded.get(kind.name);
      assert.ok(r, `${kind.name} was not loaded`);
      const list = errors.get(r.htmlFile);
      assert.deepEqual(list.length, 0, `vnu on ${r.path} (${r.htmlFile}):\n${vnu.formatErrors(list)}`);
    });
  }
});
