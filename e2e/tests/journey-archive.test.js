'use strict';
// Journey 2: page through the English article archive with its pager.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();

const ARCHIVE = '/en/articles';

async function state(page, path) {
  return {
    path: path(),
    current: (await page.locator('nav.pager [aria-current="page"]').innerText()).trim(),
    first: await page.locator('main ol.items > li h2').first().innerText(),
  };
}

test('journey: page through the article archive', JOURNEY, async () => {
  const { context, page, url, path, assertNoThirdParty } = await openPage(env);
  try {
    await page.goto(url(ARCHIVE));
    const one = await state(page, path);
    assert.deepEqual([one.path, one.current], [ARCHIVE, '1']);

    // "Next" (rel=next) → page 2.
    await Promise.all([page.waitForURL(url(`${ARCHIVE}/page/2`)), page.click('nav.pager a[rel="next"]')]);
    const two = await state(page, path);
    assert.deepEqual([two.path, two.current], [`${ARCHIVE}/page/2`, '2']);
    assert.notEqual(two.first, one.first, 'page 2 lists the same first article as page 1');

    const three = page.locator('nav.pager a', { hasText: /^3$/ });
    if (await three.count()) {
      // Page number 3 → page 3, then back with rel=prev → page 2.
      await Promise.all([page.waitForURL(url(`${ARCHIVE}/page/3`)), three.click()]);
      const s3 = await state(page, path);
      assert.deepEqual([s3.path, s3.current], [`${ARCHIVE}/page/3`, '3']);
      assert.notEqual(s3.first, two.first, 'page 3 lists the same first article as page 2');
      await Promise.all([page.waitForURL(url(`${ARCHIVE}/page/2`)), page.click('nav.pager a[rel="prev"]')]);
      const back = await state(page, path);
      assert.deepEqual([back.path, back.current, back.first], [`${ARCHIVE}/page/2`, '2', two.first]);
    } else {
      // Only two pages: back with rel=prev → page 1.
      await Promise.all([page.waitForURL((u) => u.pathname === ARCHIVE || u.pathname === `${ARCHIVE}/page/1`), page.click('nav.pager a[rel="prev"]')]);
      const back = await state(page, path);
      assert.equal(back.current, '1');
      assert.equal(back.first, one.first);
    }
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
