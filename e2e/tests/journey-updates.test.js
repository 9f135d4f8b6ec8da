'use strict';
// Journey: subscribe to the members' updates in Spanish from the footer
// and the subscribe page, confirm from the mail in the admin's outbox,
// receive the Spanish edition when the admin sends the demo's autumn
// update, and unsubscribe from the link in that mail.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage } = require('../lib/fixture');

const env = useSite();

const EMAIL = `lectora-${Date.now().toString(36)}@example.org`;

/** The first match of re in the outbox's mail to EMAIL whose subject matches subject. */
async function fromOutbox(ap, url, subject, re) {
  for (let i = 0; i < 120; i++) {
    await ap.goto(url('/admin/outbox'));
    const mail = ap.locator('article.mail', { hasText: EMAIL }).filter({ has: ap.locator('h2', { hasText: subject }) });
    if (await mail.count()) {
      const m = (await mail.first().locator('pre').innerText()).match(re);
      if (m) return m[1];
    }
    await ap.waitForTimeout(500);
  }
  return null;
}

test('journey: subscribe in Spanish, confirm, receive the Spanish edition, unsubscribe by its link', { timeout: 180_000 }, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env);
  try {
    await page.goto(url('/es/'));
    await page.locator('#footer-subscribe-email').fill(EMAIL);
    await Promise.all([page.waitForURL(/\/es\/updates\/subscribe\?email=/), page.locator('.footer-subscribe button').click()]);
    assert.equal(await page.locator('#upd-email').inputValue(), EMAIL);
    assert.equal(await page.locator('#upd-lang').inputValue(), 'es');
    await page.locator('input[name="consent"]').check();
    await page.waitForFunction(() => document.querySelector('input[name="guard_proof"]').value !== '', null, { timeout: 30_000 });
    await page.waitForTimeout(3200);
    await page.locator('form.updates-subscribe button[type="submit"]').click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').innerText(), /Revise su correo/);

    const admin = await context.browser().newContext();
    const ap = await admin.newPage();
    await ap.goto(url('/admin/login'));
    await ap.getByLabel('Email').fill(env.server.email);
    await ap.getByLabel('Password').fill(env.server.password);
    await Promise.all([ap.waitForURL(url('/admin/entries')), ap.getByRole('button', { name: 'Sign in' }).click()]);
    const confirm = await fromOutbox(ap, url, 'Confirme', /https?:\/\/[^/\s]+(\/es\/updates\/confirm\/[A-Za-z0-9_-]+)/);
    assert.ok(confirm, 'no confirmation mail in the outbox');

    await page.goto(url(confirm));
    await Promise.all([page.waitForURL(/\/es\/updates\/manage\//), page.locator('main form button').first().click()]);
    assert.match(await page.locator('main').innerText(), /confirmada/);

    // The admin sends the demo's autumn update, which has a Spanish edition.
    await ap.goto(url('/admin/updates'));
    await Promise.all([ap.waitForURL(/\/admin\/updates\/\d+$/), ap.getByRole('link', { name: "Members' update: autumn" }).click()]);
    await ap.getByRole('button', { name: 'Send the update' }).click();
    await ap.waitForLoadState('load');
    const unsubscribe = await fromOutbox(ap, url, 'Boletín para miembros: otoño', /https?:\/\/[^/\s]+(\/updates\/unsubscribe\/[0-9]+\.[A-Za-z0-9_-]+)/);
    assert.ok(unsubscribe, 'the Spanish edition did not arrive');
    await admin.close();

    await page.goto(url(unsubscribe));
    await page.locator('main form button').click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').innerText(), /Se ha dado de baja/);
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
