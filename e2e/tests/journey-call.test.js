'use strict';
// Journey: see the demo's open video call's deadline in the visitor's
// own zone and how long is left, apply in the browser, confirm
// from the mail in the admin's outbox, upload a video from the private
// page with upload.js while the connection drops once midway (the script
// asks the server where it stopped and sends only the rest), see the
// video named on the page, and withdraw.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();

const CALL = '/en/calls/video-call-stories-of-care';
const EMAIL = `call-${Date.now().toString(36)}@example.org`;
const CHUNK = 8 * 1024 * 1024; // upload.js's

/** A QuickTime video of uncompressed frames, a little over two chunks. */
function video() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pp-call-')), 'our film.mov');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=s=640x480:r=25', '-frames:v', '30',
    '-c:v', 'rawvideo', '-pix_fmt', 'uyvy422', '-metadata', 'location=+48.8584+002.2945/', file]);
  return file;
}

test('journey: apply to a call, confirm by mail, upload a video through a dropped connection, withdraw', JOURNEY, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env);
  try {
    await page.goto(url(CALL));
    assert.match(await page.locator('main').innerText(), /Europe\/Paris/);
    // The deadline in the visitor's own zone, and how long is left.
    assert.match(await page.locator('.local-time').first().innerText(), /^Your time: /);
    assert.match(await page.locator('.countdown').first().innerText(), /in \d+ days/);
    await Promise.all([page.waitForURL(url('/en/calls/apply/video-call-stories-of-care')), page.getByRole('link', { name: 'Apply' }).first().click()]);
    await page.getByLabel('Your email').fill(EMAIL);
    await page.getByLabel(/Your name or your group/).fill('Riverside Film Journey');
    await page.getByLabel(/^Country/).selectOption({ label: 'Kenya' });
    await page.getByLabel(/Language of the work/).selectOption('en');
    await page.getByRole('checkbox', { name: /I agree/ }).check();
    await page.waitForFunction(() => document.querySelector('input[name="guard_proof"]').value !== '', null, { timeout: 30_000 });
    await page.waitForTimeout(3200);
    await page.getByRole('button', { name: 'Send my application' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').innerText(), /Check your mail/);

    const admin = await context.browser().newContext();
    const ap = await admin.newPage();
    await ap.goto(url('/admin/login'));
    await ap.getByLabel('Email').fill(env.server.email);
    await ap.getByLabel('Password').fill(env.server.password);
    await Promise.all([ap.waitForURL(url('/admin/entries')), ap.getByRole('button', { name: 'Sign in' }).click()]);
    let confirm = null;
    for (let i = 0; i < 30 && !confirm; i++) {
      await ap.goto(url('/admin/outbox'));
      const mail = ap.locator('article.mail', { hasText: EMAIL });
      if (await mail.count()) {
        const m = (await mail.first().locator('pre').innerText()).match(/https?:\/\/[^/\s]+(\/en\/application\/confirm\/[A-Za-z0-9_-]+)/);
        if (m) confirm = m[1];
      }
      if (!confirm) await ap.waitForTimeout(500);
    }
    await admin.close();
    assert.ok(confirm, 'no confirmation mail in the outbox');

    await page.goto(url(confirm));
    await Promise.all([page.waitForURL(/\/en\/application\/manage\//), page.getByRole('button', { name: 'Confirm' }).click()]);
    const main = page.locator('main');
    assert.match(await main.innerText(), /Your application is in/);
    assert.match(await main.innerText(), /Still missing: Your film/);
    assert.equal(await page.locator('form[data-tus-endpoint="/uploads/applications/"]').count(), 1);

    // The second chunk's connection drops; the script resumes where the
    // server says it stopped.
    const offsets = [];
    let dropped = false;
    await page.route('**/uploads/applications/*', async (route) => {
      const req = route.request();
      if (req.method() === 'PATCH') {
        const at = Number(req.headers()['upload-offset']);
        offsets.push(at);
        if (at === CHUNK && !dropped) {
          dropped = true;
          return route.abort('connectionreset');
        }
      }
      return route.continue();
    });
    await page.getByLabel('Your film *').setInputFiles(video());
    await page.locator('.upload-status', { hasText: 'Uploaded and checked' }).waitFor({ timeout: 60_000 });
    assert.ok(dropped, 'the connection never dropped');
    assert.deepEqual(offsets, [0, CHUNK, CHUNK, 2 * CHUNK], `PATCH offsets ${offsets}`);

    await page.reload();
    assert.match(await main.innerText(), /Sent: our film\.mov/);
    assert.doesNotMatch(await main.innerText(), /Still missing/);

    await page.getByRole('button', { name: 'Withdraw my application' }).click();
    await page.waitForLoadState('load');
    assert.match(await main.innerText(), /Application withdrawn/);
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
