'use strict';
// Journey: an organisation signs the demo's open letter in the browser
// (with JavaScript, so pow.js does the proof of work), the confirmation
// link is read from the admin's outbox, the signatory confirms it, and the
// letter counts and lists the signature under its country.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();

const LETTER = '/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury';
const NAME = `Riverside Peer Journey ${Date.now().toString(36)}`;
const EMAIL = `letter-${Date.now().toString(36)}@example.org`;

/** The count of signatures the letter's panel shows. */
async function count(page) {
  const text = await page.locator('.letter-count').first().innerText();
  const m = text.match(/^([\d,]+) signatures?/);
  assert.ok(m, `no count in "${text}"`);
  return Number(m[1].replace(/,/g, ''));
}

test('journey: sign an open letter, confirm it from the mail, see it counted', JOURNEY, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env);
  try {
    // The demo's invented signatories arrive by a job a few seconds after
    // start; wait for them so that the count below moves by ours alone.
    await page.goto(url(LETTER));
    for (let i = 0; i < 40 && await count(page) === 0; i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    const before = await count(page);
    assert.ok(before > 0, 'the demo letter has no signatures');
    await Promise.all([page.waitForURL(url(`${LETTER}/sign`)), page.getByRole('link', { name: 'Sign this letter' }).click()]);

    await page.getByRole('radio', { name: 'Organisation' }).check();
    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await page.getByLabel('Type of organisation').selectOption('community');
    await page.getByLabel('Country', { exact: true }).selectOption({ label: 'Kenya' });
    await page.getByLabel('Website (optional)').fill('riverside.example');
    await page.getByLabel('Contact email').fill(EMAIL);
    await page.getByRole('checkbox', { name: /I agree/ }).check();
    // pow.js fills the proof of work; people take longer than the guard's
    // minimum time anyway.
    await page.waitForFunction(() => document.querySelector('input[name="guard_proof"]').value !== '', null, { timeout: 30_000 });
    await page.waitForTimeout(3200);
    await Promise.all([page.waitForURL(url(`${LETTER}/signed`)), page.getByRole('button', { name: 'Sign', exact: true }).click()]);
    assert.match(await page.locator('main').innerText(), /Check your email/);

    // Not counted before it is confirmed.
    await page.goto(url(LETTER));
    assert.equal(await count(page), before);

    // The demo has no SMTP server: the mail waits in the admin's outbox.
    const admin = await context.browser().newContext();
    const ap = await admin.newPage();
    await ap.goto(url('/admin/login'));
    await ap.getByLabel('Email').fill(env.server.email);
    await ap.getByLabel('Password').fill(env.server.password);
    await Promise.all([ap.waitForURL(url('/admin/entries')), ap.getByRole('button', { name: 'Sign in' }).click()]);
    let verify = null;
    for (let i = 0; i < 30 && !verify; i++) { // the queue delivers within seconds
      await ap.goto(url('/admin/outbox'));
      const mail = ap.locator('article.mail', { hasText: EMAIL });
      if (await mail.count()) {
        const m = (await mail.first().locator('pre').innerText()).match(/https?:\/\/[^/\s]+(\/en\/signatures\/verify\/[A-Za-z0-9_-]+)/);
        if (m) verify = m[1];
      }
      if (!verify) await ap.waitForTimeout(500);
    }
    await admin.close();
    assert.ok(verify, 'no confirmation mail in the outbox');

    // The link asks before it confirms.
    await page.goto(url(verify));
    assert.match(await page.locator('main').innerText(), new RegExp(NAME));
    await page.getByRole('button', { name: 'Confirm my signature' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').innerText(), /confirmed and counted/);

    await page.goto(url(LETTER));
    assert.equal(await count(page), before + 1);
    await Promise.all([page.waitForURL(url(`${LETTER}/signatures`)), page.getByRole('link', { name: 'See who has signed' }).first().click()]);
    const kenya = page.locator('section.letter-country', { has: page.getByRole('heading', { name: /^Kenya/ }) });
    assert.match(await kenya.innerText(), new RegExp(NAME));
    assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(EMAIL));
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
