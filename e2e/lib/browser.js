'use strict';
// Debian's chromium driven by playwright-core, plus the checks every page
// gets: axe, third-party requests, page weight, screenshots.

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const AXE = require.resolve('axe-core');
const SCREENSHOTS = path.resolve(__dirname, '..', 'screenshots');

async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags chromium phones home, which
    // this machine refuses (and which the privacy check would not see).
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * A fresh context (empty cache and cookies). bypassCSP lets axe-core be
 * injected despite the site's strict Content-Security-Policy; it changes
 * nothing else about how pages load.
 */
async function newContext(browser, { site, ...options } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    bypassCSP: true,
    locale: 'en-GB',
    ...options,
  });
  if (site) {
    // A request to another host is recorded (page 'request' events still
    // fire) and fails the privacy check, but never leaves this machine.
    await context.route((url) => !isSite(url.href, site), (route) => route.abort('blockedbyclient'));
  }
  return context;
}

function isSite(u, host) {
  if (u.startsWith('data:')) return true;
  let url;
  try { url = new URL(u); } catch { return false; }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host;
}

/** Records the URL of every request the page (and its frames) makes. */
function recordRequests(page) {
  const urls = [];
  page.on('request', (req) => urls.push(req.url()));
  return urls;
}

/**
 * The requests among urls that do not go to the site itself (host is
 * "127.0.0.1:PORT"). data: URLs carry no request to anyone.
 */
function thirdParty(urls, host) {
  return urls.filter((u) => !isSite(u, host));
}

/** Runs axe-core in the page; resolves to its serious and critical violations. */
async function axeViolations(page) {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
    }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A readable list of axe violations, for assertion messages. */
function formatAxe(violations) {
  return violations.map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n` +
    v.nodes.map((n) => `      at ${n.target}\n        ${n.html.slice(0, 200)}\n        ${(n.summary || '').replace(/\n/g, '\n        ')}`).join('\n')).join('\n');
}

/**
 * Measures what loading url costs over the wire, through the DevTools
 * protocol: the number of requests and the bytes transferred (headers
 * included, as encodedDataLength counts them), in a fresh context with an
 * empty cache. The browser itself still remembers a site's favicon across
 * contexts: see firstVisit.
 */
async function measureLoad(browser, url, options = {}) {
  const context = await newContext(browser, { bypassCSP: false, ...options });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const requests = new Map();
    cdp.on('Network.requestWillBeSent', (e) => {
      if (!requests.has(e.requestId)) requests.set(e.requestId, { url: e.request.url, bytes: 0 });
      // A redirect reuses the requestId: count each hop as a request.
      if (e.redirectResponse) {
        requests.set(`${e.requestId}#${requests.size}`, { url: e.redirectResponse.url, bytes: e.redirectResponse.encodedDataLength || 0 });
      }
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = requests.get(e.requestId);
      if (r) r.bytes = e.encodedDataLength;
    });
    cdp.on('Network.loadingFailed', (e) => {
      const r = requests.get(e.requestId);
      if (r) r.failed = e.errorText;
    });
    // Requests to other hosts fail here (the privacy check reports them);
    // interception at this level leaves the browser's favicon request alone.
    const host = new URL(url).host;
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] });
    const blocked = [];
    cdp.on('Fetch.requestPaused', (e) => {
      if (!isSite(e.request.url, host)) blocked.push(e.request.url);
      const call = isSite(e.request.url, host)
        ? cdp.send('Fetch.continueRequest', { requestId: e.requestId })
        : cdp.send('Fetch.failRequest', { requestId: e.requestId, errorReason: 'BlockedByClient' });
      call.catch(() => {});
    });
    const response = await page.goto(url, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle');
    const list = [...requests.values()];
    return {
      status: response.status(),
      requests: list,
      blocked,
      count: list.length,
      bytes: list.reduce((s, r) => s + r.bytes, 0),
    };
  } finally {
    await context.close();
  }
}

/**
 * What a first visit to url costs, in a browser of its own: the load, and
 * the requests the browser makes only once per site whatever the context
 * (the favicon), to be added to loads measured in a browser that already
 * made them.
 */
async function firstVisit(url, options = {}) {
  const fresh = await launch();
  try {
    const first = await measureLoad(fresh, url, options);
    const second = await measureLoad(fresh, url, options);
    const again = new Set(second.requests.map((r) => r.url));
    return { load: first, oncePerBrowser: first.requests.filter((r) => !again.has(r.url)) };
  } finally {
    await fresh.close();
  }
}

/** A load measured in a used browser, plus what the browser did only once. */
function withOncePerBrowser(load, once) {
  const seen = new Set(load.requests.map((r) => new URL(r.url).pathname));
  const add = once.filter((r) => !seen.has(new URL(r.url).pathname));
  const requests = [...load.requests, ...add.map((r) => ({ ...r, added: true }))];
  return { ...load, requests, count: requests.length, bytes: requests.reduce((s, r) => s + r.bytes, 0) };
}

/** Writes full-page screenshots of the page at each width. */
async function screenshots(page, name, widths = [360, 1280]) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const files = [];
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    const file = path.join(SCREENSHOTS, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    files.push(file);
  }
  return files;
}

module.exports = {
  launch, newContext, recordRequests, thirdParty, axeViolations, formatAxe, measureLoad, firstVisit, withOncePerBrowser,
  screenshots, SCREENSHOTS,
};
