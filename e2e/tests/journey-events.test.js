'use strict';
// Journey: a visitor registers for the demo's open webinar with the
// keyboard alone, the confirmation mail lands in the admin's outbox (the
// demo has no SMTP server), the visitor follows its link, confirms, and
// reaches the private manage page with the join link, which the public
// page never shows.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();

const EVENT = '/en/events/webinar-naloxone-in-the-hands-of-peers';
const REGISTER = '/en/events/register/webinar-naloxone-in-the-hands-of-peers';
const JOIN = 'https://meet.example.org/pvn-naloxone-peers-4821';
const EMAIL = `journey-${Date.now().toString(36)}@example.org`;

/** The id (or tag) of the focused element. */
function focusedId(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? el.id || el.tagName.toLowerCase() : null;
  });
}

/** Presses Tab until the element with this id has focus. */
async function tabTo(page, id, most = 60) {
  for (let i = 0; i < most; i++) {
    if (await focusedId(page) === id) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached #${id} (last: ${await focusedId(page)})`);
}

/** Waits for the outbox to hold a message to addr, and returns its text. */
async function outboxMail(page, url, addr, subject) {
  for (let i = 0; i < 30; i++) {
    await page.goto(url('/admin/outbox'));
    const texts = await page.locator('article.mail').evaluateAll((els, [a, s]) => els
      .filter((e) => e.innerText.includes(a) && e.querySelector('h2').innerText.includes(s))
      .map((e) => e.querySelector('pre').innerText), [addr, subject]);
    if (texts.length) return texts[0];
    await page.waitForTimeout(500);
  }
  assert.fail(`no mail "${subject}" to ${addr} in the outbox`);
}

test('journey: register for a webinar by keyboard, confirm through the outbox mail, reach the manage page', JOURNEY, async () => {
  const visitor = await openPage(env);
  const admin = await openPage(env);
  try {
    const { page, url, path } = visitor;
    await page.goto(url(EVENT));
    const main = await page.locator('main').innerText();
    assert.match(main, /Nairobi: /);
    assert.match(main, /Lena Varga/);
    assert.doesNotMatch(await page.content(), /meet\.example\.org/, 'the public page shows the join link');
    // The small script adds the visitor's own time beside the event's.
    assert.ok(await page.locator('.event-action .local-time').count() >= 1, 'no local time line');

    // The event page (shared by the page cache) leads to the form on a
    // page of its own, which carries the abuse guard's challenge.
    assert.ok(await page.locator(`main a[href="${REGISTER}"]`).count() >= 1, 'no link to the registration form');

    // Keyboard only, through the whole form.
    await page.goto(url(REGISTER));
    await tabTo(page, 'reg-name');
    await page.keyboard.type('Journey Peer');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'reg-email');
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'reg-q0');
    await page.keyboard.type('Harbour Harm Reduction');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'reg-q1');
    await page.keyboard.press('ArrowDown'); // the first language offered
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'reg-q2');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'reg-q3');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'reg-q4');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'reg-consent');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'button');
    // As a person would: pow.js has finished, and more than the guard's
    // three seconds have passed since the form was served.
    await page.waitForFunction(() => document.querySelector('input[name="guard_proof"]').value !== '', null, { timeout: 30_000 });
    await page.waitForTimeout(3200);
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.waitForSelector('main h1');
    assert.match(await page.locator('main h1').innerText(), /Check your mail/);
    assert.match(await page.locator('main').innerText(), new RegExp(EMAIL.replace(/[.]/g, '\\.')));

    // The demo admin reads the confirmation mail in the outbox.
    const a = admin.page;
    await a.goto(admin.url('/admin/login'));
    await a.fill('#email', env.server.email);
    await a.fill('#password', env.server.password);
    await Promise.all([a.waitForURL(admin.url('/admin/entries')), a.click('form[action="/admin/login"] button[type=submit]')]);
    const request = await outboxMail(a, admin.url, EMAIL, 'Confirm your registration');
    assert.doesNotMatch(request, /meet\.example\.org/, 'the unconfirmed registrant was sent the join link');
    const confirm = request.match(/https?:\/\/\S+\/en\/registration\/confirm\/[A-Za-z0-9_-]+/);
    assert.ok(confirm, `no confirmation link in:\n${request}`);

    // The visitor follows it and confirms.
    await page.goto(confirm[0]);
    await Promise.all([page.waitForURL(/\/en\/registration\/manage\//), page.getByRole('button', { name: 'Confirm my registration' }).click()]);
    const manage = await page.locator('main').innerText();
    assert.match(manage, /confirmed: you have a place/);
    assert.match(manage, new RegExp(JOIN.replace(/[.]/g, '\\.')));
    assert.match(path(), /^\/en\/registration\/manage\/[A-Za-z0-9_-]+\?confirmed=1$/);

    // The confirmation mail carries the join link and the calendar file.
    const placed = await outboxMail(a, admin.url, EMAIL, 'You are registered');
    assert.match(placed, new RegExp(JOIN.replace(/[.]/g, '\\.')));
    assert.match(await a.locator('article.mail', { hasText: 'You are registered' }).first().innerText(), /invite\.ics/);

    // And the public page still does not show it.
    await page.goto(url(EVENT));
    assert.doesNotMatch(await page.content(), /meet\.example\.org/);
    visitor.assertNoThirdParty(assert);
    admin.assertNoThirdParty(assert);
  } finally {
    await visitor.context.close();
    await admin.context.close();
  }
});
