'use strict';
// One server and one browser for a test file: `const env = useSite();` at
// the top of a file registers the before/after hooks; env.server and
// env.browser are set once before() ran.

const { before, after } = require('node:test');
const { startServer } = require('./server');
const b = require('./browser');

function useSite() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await b.launch();
  }, { timeout: 600_000 }); // a first `go build` of peerpress can take minutes
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.server) await env.server.stop();
  }, { timeout: 30_000 });
  return env;
}

/**
 * A fresh context and page that records every request it makes;
 * assertNoThirdParty() then fails on any request to another host.
 */
async function openPage(env, options) {
  const context = await b.newContext(env.browser, { site: env.server.host, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const urls = b.recordRequests(page);
  return {
    context,
    page,
    urls,
    url: (p) => env.server.base + p,
    path: () => { const u = new URL(page.url()); return u.pathname + u.search; },
    assertNoThirdParty(assert) {
      assert.deepEqual(b.thirdParty(urls, env.server.host), [], 'requests to other hosts');
    },
  };
}

// Every journey gives up after this long rather than hang the run.
const JOURNEY = { timeout: 90_000 };

module.exports = { useSite, openPage, JOURNEY };
