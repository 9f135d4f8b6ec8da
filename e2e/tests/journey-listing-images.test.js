'use strict';
// A listing page with images, on a 360 px phone: an editor gives an
// article a featured image (a phone-sized photo); the article archive
// then shows a small copy of it beside the item, served by the site, that
// fits the phone's width; the listing and the article stay within the
// page weight budget of a first visit on the phone (30 KB; 3 requests, and
// one per picture the editor chose), and an article without a picture
// within the plain budget (30 KB, 3 requests). axe runs on the listing at
// phone width.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { useSite, openPage } = require('../lib/fixture');
const b = require('../lib/browser');

const env = useSite();

const MAX_BYTES = 30_000;
const MAX_REQUESTS = 3;

/** A PNG with a gradient (so it does not compress to nothing), made here. */
function png(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 255 / width) | 0;
      row[2 + x * 3] = (y * 255 / height) | 0;
      row[3 + x * 3] = 128;
    }
    rows.push(row);
  }
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'binary'), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

test('journey: an article archive with images on a 360 px phone, within the page budget', { timeout: 150_000 }, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env);
  let article;
  let other;
  try {
    await page.goto(url('/admin/login'));
    await page.fill('#email', env.server.email);
    await page.fill('#password', env.server.password);
    await Promise.all([page.waitForURL(url('/admin/entries')), page.click('form[action="/admin/login"] button[type=submit]')]);
    // The newest article, the first of the archive.
    await page.goto(url('/en/articles'));
    const first = page.locator('li.item').first().locator('a').first();
    article = { path: await first.getAttribute('href'), title: (await first.innerText()).trim() };
    other = await page.locator('li.item').nth(1).locator('a').first().getAttribute('href');
    await page.goto(url(`/admin/entries?q=${encodeURIComponent(article.title)}`));
    const edit = await page.getAttribute('table.list tbody tr:first-child td:first-child a', 'href');
    await page.goto(url(edit));
    await page.setInputFiles('#image', { name: 'outreach.png', mimeType: 'image/png', buffer: png(1600, 1200) });
    // The entry's page answers with ?saved=1: the form's own address
    // matched at once, before the upload's answer (a flaky failure).
    await Promise.all([page.waitForURL(/\/admin\/entries\/\d+\?saved=1/),
      page.click('form[action$="/image"] button[type=submit]:not([name])')]);
    assert.equal(await page.locator('form[action$="/image"] button[name="remove"]').count(), 1, 'the image was not kept');
  } finally {
    await context.close();
  }

  // On a phone: the archive shows the image small, from the site.
  const phone = await openPage(env, { viewport: { width: 360, height: 640 } });
  try {
    const { page, url } = phone;
    let thumb;
    // The sizes are made by a job a moment after the upload.
    for (let i = 0; i < 40; i++) {
      await page.goto(url('/en/articles'));
      thumb = page.locator('li.item', { has: page.locator(`a[href="${article.path}"]`) }).locator('img.item-thumb');
      if (await thumb.count() > 0) break;
      await page.waitForTimeout(500);
    }
    assert.equal(await thumb.count(), 1, 'the archive shows no image for the article');
    await thumb.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle());
    const src = await thumb.getAttribute('src');
    assert.match(src, /^\//, 'the image is not served by the site');
    assert.equal(await thumb.getAttribute('alt'), '', 'a decorative thumbnail is announced');
    const box = await thumb.boundingBox();
    assert.ok(box.width <= 160, `the thumbnail is ${box.width} px wide on a 360 px phone`);
    const natural = await thumb.evaluate((el) => el.naturalWidth);
    assert.ok(natural < 1600 / 2, `the phone got a ${natural} px wide copy for a ${box.width} px thumbnail`);
    const thumbBytes = (await (await fetch(url(src))).arrayBuffer()).byteLength;
    assert.ok(thumbBytes < 20_000, `the thumbnail weighs ${thumbBytes} bytes`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 360, `the page is ${overflow} px wide on a 360 px phone`);
    const v = await b.axeViolations(page);
    assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.map((n) => n.target).join(', ')}`), [], 'axe on the archive at 360 px');
    phone.assertNoThirdParty(assert);
  } finally {
    await phone.context.close();
  }

  // The budget of a first visit on the phone: 30 KB in at most 3 requests
  // (the page, its stylesheet and a picture an editor chose; the page names
  // an empty icon, so the browser asks for no favicon).
  const budget = async (path, pictures) => {
    const w = (await b.firstVisit(env.server.base + path, { viewport: { width: 360, height: 640 } })).load;
    const detail = w.requests.map((q) => `  ${q.bytes} B  ${q.url}${q.failed ? ` (${q.failed})` : ''}`).join('\n');
    assert.equal(w.status, 200);
    assert.deepEqual(w.blocked, [], 'requests to other hosts');
    const images = w.requests.filter((q) => /\/media\//.test(q.url)).length;
    assert.ok(images <= pictures, `${path}: ${images} pictures loaded, ${pictures} expected at most:\n${detail}`);
    assert.ok(w.count <= MAX_REQUESTS, `${path}: ${w.count} requests (at most ${MAX_REQUESTS}):\n${detail}`);
    assert.ok(w.bytes <= MAX_BYTES, `${path}: ${w.bytes} bytes (at most ${MAX_BYTES}):\n${detail}`);
    return w;
  };
  // The listing with its thumbnail, and the article with its picture.
  await budget('/en/articles', 1);
  await budget(article.path, 1);
  // Another article, without a picture, keeps the plain budget.
  const plain = await budget(other, 0);
  assert.ok(plain.count <= MAX_REQUESTS, `${other}: ${plain.count} requests`);
  assertNoThirdParty(assert);
});
