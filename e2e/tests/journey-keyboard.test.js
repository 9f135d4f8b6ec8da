'use strict';
// Journey 4: keyboard only. The skip link comes first and leads into main;
// the admin login form can be filled and sent with the keyboard alone.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();

/** A short description of the focused element. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const main = document.querySelector('main');
    return {
      tag: el ? el.tagName.toLowerCase() : null,
      id: el ? el.id : null,
      className: el ? el.className : null,
      href: el ? el.getAttribute('href') : null,
      text: el ? (el.innerText || '').trim().slice(0, 60) : null,
      inMain: Boolean(el && main && main.contains(el)),
    };
  });
}

test('journey: keyboard only on the home page — the skip link comes first and moves focus to main', JOURNEY, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env);
  try {
    await page.goto(url('/en/'));
    await page.keyboard.press('Tab');
    const first = await focused(page);
    assert.equal(first.tag, 'a', `first Tab focused ${JSON.stringify(first)}`);
    assert.equal(first.href, '#main', `first Tab focused ${JSON.stringify(first)}, not the skip link`);
    assert.equal(first.text, 'Skip to content');
    // The skip link is visible once focused (it may hide otherwise).
    assert.ok(await page.locator('a.skip').isVisible(), 'the focused skip link is not visible');

    await page.keyboard.press('Enter');
    // The browser moves to the in-page target after the key's events
    // are dispatched: wait until the address shows it (a loaded CI
    // machine read the address before it did), then check it.
    await page.waitForFunction(() => location.hash === '#main', null, { timeout: 5000 }).catch(() => {});
    assert.equal(new URL(page.url()).hash, '#main');
    const after = await focused(page);
    // And the next Tab goes on inside main, past the header's links.
    await page.keyboard.press('Tab');
    const next = await focused(page);
    assert.ok(next.inMain, `after the skip link, the next Tab focused ${JSON.stringify(next)}, outside main`);
    // Focus itself must be on main (or inside it), so that assistive
    // technology announces the content: an element that is not focusable
    // (no tabindex) leaves focus on <body>.
    assert.ok(after.tag === 'main' || after.inMain,
      `after activating the skip link, focus is on <${after.tag}>, not on main (the next Tab then reaches ${next.tag} "${next.text}" in main)`);
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});

test('journey: keyboard only on the admin login form', JOURNEY, async () => {
  const { context, page, url, path, assertNoThirdParty } = await openPage(env);
  try {
    await page.goto(url('/admin/login'));
    // Tab until the email field, at most a few steps (skip link, brand).
    let f;
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      f = await focused(page);
      if (f.id === 'email') break;
    }
    assert.equal(f.id, 'email', `Tab never reached the email field (last: ${JSON.stringify(f)})`);
    await page.keyboard.type(env.server.email);
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'password');
    await page.keyboard.type(env.server.password);
    await page.keyboard.press('Tab');
    const button = await focused(page);
    assert.equal(button.tag, 'button', `after the password, Tab focused ${JSON.stringify(button)}`);
    assert.equal(button.text, 'Sign in');
    await Promise.all([page.waitForURL(url('/admin/entries')), page.keyboard.press('Enter')]);
    assert.equal(path(), '/admin/entries');
    assert.equal(await page.locator('main h1').count(), 1);
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
