'use strict';
// Loads one page kind in a fresh browser context and gathers what the
// checks need: the response, the HTML as served, every request the page
// made, axe's serious and critical violations and screenshots at each
// width.

const fs = require('node:fs');
const path = require('node:path');
const b = require('./browser');

const HTML_DIR = path.join(b.SCREENSHOTS, 'html');
const WIDTHS = [1280, 360];

async function visit(browser, server, { name, path: urlPath, storageState }) {
  const context = await b.newContext(browser, { site: server.host, ...(storageState ? { storageState } : {}) });
  try {
    const page = await context.newPage();
    const urls = b.recordRequests(page);
    const response = await page.goto(server.base + urlPath, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle');
    const body = await response.body();
    fs.mkdirSync(HTML_DIR, { recursive: true });
    const htmlFile = path.join(HTML_DIR, `${name}.html`);
    fs.writeFileSync(htmlFile, body);
    const result = {
      status: response.status(),
      finalURL: page.url(),
      htmlFile,
      lang: await page.getAttribute('html', 'lang'),
      dir: await page.getAttribute('html', 'dir'),
      axe: [],
      screenshots: [],
      urls,
    };
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      for (const v of await b.axeViolations(page)) result.axe.push({ ...v, width });
      result.screenshots.push(...await b.screenshots(page, name, [width]));
    }
    await page.waitForLoadState('networkidle');
    return result;
  } finally {
    await context.close();
  }
}

/** axe violations at both widths, the same rule and element reported once. */
function uniqueAxe(list) {
  const seen = new Map();
  for (const v of list) {
    const prev = seen.get(v.id);
    if (!prev) { seen.set(v.id, { ...v, widths: [v.width], nodes: [...v.nodes] }); continue; }
    prev.widths.push(v.width);
    for (const n of v.nodes) if (!prev.nodes.some((p) => p.target === n.target)) prev.nodes.push(n);
  }
  return [...seen.values()].map((v) => ({ ...v, help: `${v.help} (at ${v.widths.join(' and ')} px)` }));
}

module.exports = { visit, uniqueAxe, HTML_DIR };
