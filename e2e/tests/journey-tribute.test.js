'use strict';
// Journey: a visitor sends a tribute with a photo to the remembrance
// campaign's wall; a moderator (invited by the demo administrator) approves
// it in moderation; the visitor finds it in the slideshow and walks the
// slideshow with the keyboard — its links, and the arrow keys slideshow.js
// adds.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');
const { axeViolations, formatAxe } = require('../lib/browser');

const env = useSite();

const WALL = '/en/campaigns/remember-every-name/tributes/';
const NAME = `Lena Journey ${Date.now().toString(36)}`;
const WORDS = 'She answered the outreach phone at any hour, and never judged anyone who called.';

/** A small PNG (solid colour), made here: no file from anywhere else. */
function png(width, height, [r, g, b]) {
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
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => [r, g, b][i % 3])]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'binary'), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

test('journey: send a tribute with a photo, approve it, find it in the slideshow, walk it by keyboard', JOURNEY, async () => {
  const { context, page, url, path, assertNoThirdParty } = await openPage(env);
  try {
    // The visitor opens the form from the wall and fills it.
    await page.goto(url(WALL));
    await Promise.all([page.waitForURL(url(`${WALL}new`)), page.getByRole('link', { name: 'Add a tribute' }).first().click()]);
    await page.setInputFiles('#photo', { name: 'lena.png', mimeType: 'image/png', buffer: png(640, 480, [90, 60, 140]) });
    await page.fill('#remembered', NAME);
    await page.fill('#body', WORDS);
    await page.fill('#email', 'journey@example.org');
    await page.check('#consent_publish');
    await page.check('#consent_rights');
    // People take a while to write; the guard refuses forms sent within
    // seconds of being served.
    await page.waitForTimeout(3500);
    await Promise.all([page.waitForURL(url(`${WALL}sent`)), page.getByRole('button', { name: 'Send the tribute' }).click()]);
    assert.match(await page.locator('main').innerText(), /waits for a moderator/);

    // Not public yet.
    await page.goto(url(WALL));
    assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(NAME));

    // The administrator invites a moderator; the moderator chooses a
    // password through the invitation's link (read in the outbox, as the
    // test site has no SMTP server), is signed in, and approves the
    // tribute on the moderation page.
    const admin = await context.browser().newContext();
    const ap = await admin.newPage();
    await ap.goto(url('/admin/login'));
    await ap.getByLabel('Email').fill(env.server.email);
    await ap.getByLabel('Password').fill(env.server.password);
    await Promise.all([ap.waitForURL(url('/admin/entries')), ap.getByRole('button', { name: 'Sign in' }).click()]);
    await ap.goto(url('/admin/users'));
    const modEmail = `moderator-${Date.now().toString(36)}@example.org`;
    const modPassword = 'a long moderator passphrase';
    await ap.fill('#email', modEmail);
    await ap.fill('#name', 'Journey Moderator');
    await ap.selectOption('#role', 'moderator');
    await Promise.all([ap.waitForURL(/\/admin\/users\?invited=1/), ap.click('form[action="/admin/users"] button[type=submit]')]);
    let invite;
    for (let i = 0; i < 30 && !invite; i++) {
      await ap.goto(url('/admin/outbox'));
      const texts = await ap.locator('article.mail').evaluateAll((els, a) => els
        .filter((e) => e.innerText.includes(a)).map((e) => e.querySelector('pre').innerText), modEmail);
      const m = texts.length ? texts[0].match(/\/admin\/invite\/[A-Za-z0-9_-]+/) : null;
      if (m) invite = m[0];
      else await ap.waitForTimeout(500);
    }
    assert.ok(invite, `no invitation to ${modEmail} in the outbox`);
    await admin.close();

    const moderator = await context.browser().newContext({ bypassCSP: true }); // for axe
    const mp = await moderator.newPage();
    await mp.goto(url(invite));
    const violations = await axeViolations(mp);
    assert.equal(violations.length, 0, `the invitation's page:\n${formatAxe(violations)}`);
    await mp.getByLabel('New password').fill(modPassword);
    await Promise.all([mp.waitForURL(url('/admin/entries')), mp.getByRole('button', { name: 'Set password and sign in' }).click()]);
    assert.equal(await mp.getByRole('link', { name: 'New entry' }).count(), 0, 'a moderator is not offered to write entries');
    await Promise.all([mp.waitForURL(url('/admin/moderation')), mp.getByRole('navigation').getByRole('link', { name: 'Moderation' }).click()]);
    await mp.getByRole('checkbox', { name: `Select the tribute to ${NAME}` }).check();
    await Promise.all([mp.waitForURL(/\/admin\/moderation\?done=1/), mp.getByRole('button', { name: 'Approve selected' }).click()]);
    assert.match(await mp.locator('.flash').innerText(), /1 tribute approved/);
    await moderator.close();

    // In the gallery now; its link leads to its slide.
    await page.goto(url(WALL));
    await Promise.all([page.waitForURL(/\/tributes\/\d+$/), page.getByRole('link', { name: NAME }).click()]);
    const slidePath = path();
    assert.equal(await page.locator('.slide h1').innerText(), NAME);
    assert.ok(await page.locator('.slide img').count() === 1, 'the slide shows the photo');
    const n = Number(slidePath.split('/').pop());

    // Keyboard: Tab to "Previous" and follow it with Enter (a real link,
    // works without the script) …
    let onPrev = false;
    for (let i = 0; i < 40 && !onPrev; i++) {
      await page.keyboard.press('Tab');
      onPrev = await page.evaluate(() => document.activeElement && document.activeElement.dataset.slide === 'prev');
    }
    assert.ok(onPrev, 'Tab never reached the Previous link');
    await page.keyboard.press('Enter');
    await page.waitForFunction((name) => document.querySelector('.slide h1').innerText !== name, NAME);
    assert.notEqual(path(), slidePath);
    // … and come back with the arrow key: slideshow.js swaps the slide
    // in place, updates the address and puts focus on the new heading.
    await page.locator('main').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((name) => document.querySelector('.slide h1').innerText === name, NAME);
    assert.equal(path(), slidePath, `ArrowRight from slide ${n - 1} led to ${path()}`);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
    assert.match(await page.title(), new RegExp(NAME));
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});

test('a phone-sized photo is shrunk in the browser before it is sent', JOURNEY, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env);
  try {
    await page.goto(url(`${WALL}new`));
    // A 4000×3000 JPEG of noise (so that it does not compress to nothing),
    // drawn in the page as a camera would write it, then chosen as the
    // photo as a person would.
    const before = await page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 4000; c.height = 3000;
      const ctx = c.getContext('2d');
      const img = ctx.createImageData(c.width, c.height);
      for (let i = 0; i < img.data.length; i += 4) {
        const v = (i * 2654435761) >>> 24;
        img.data[i] = v; img.data[i + 1] = (v * 7) & 255; img.data[i + 2] = (v * 13) & 255; img.data[i + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      const blob = await new Promise((resolve) => c.toBlob(resolve, 'image/jpeg', 0.98));
      const input = document.querySelector('#photo');
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'IMG_2041.JPG', { type: 'image/jpeg' }));
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return blob.size;
    });
    await page.waitForFunction(() => document.querySelector('#photo').getAttribute('aria-busy') === 'false');
    const after = await page.evaluate(async () => {
      const f = document.querySelector('#photo').files[0];
      const bmp = await createImageBitmap(f);
      return { size: f.size, type: f.type, name: f.name, width: bmp.width, height: bmp.height };
    });
    assert.equal(after.type, 'image/jpeg');
    assert.equal(after.name, 'IMG_2041.jpg');
    assert.equal(after.width, 2560, `shrunk to ${after.width}×${after.height}`);
    assert.equal(after.height, 1920);
    assert.ok(after.size < before / 2, `${before} bytes became ${after.size}`);
    assert.ok(await page.getByRole('button', { name: 'Send the tribute' }).isEnabled(), 'the button is usable again');
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
