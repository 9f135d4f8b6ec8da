'use strict';
// Journey: search from the header, see highlighted results, filter by
// kind, page through the results, and search in Russian for an inflected
// word.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();

async function results(page) {
  return {
    count: (await page.locator('main .search-count').innerText()).trim(),
    titles: await page.locator('main ol.search-results > li h2').allInnerTexts(),
    marks: await page.locator('main ol.search-results mark').count(),
    kinds: await page.locator('main ol.search-results .meta .kind').allInnerTexts(),
  };
}

test('journey: search, filter and page through results', JOURNEY, async () => {
  const { context, page, url, path, assertNoThirdParty } = await openPage(env);
  try {
    // From the header of the home page, without any script.
    await page.goto(url('/en/'));
    await page.fill('header #site-search-q', 'naloxone');
    await Promise.all([page.waitForURL((u) => u.pathname === '/en/search'), page.press('header #site-search-q', 'Enter')]);
    assert.equal(path(), '/en/search?q=naloxone');
    const all = await results(page);
    assert.match(all.count, /^\d+ results$/);
    assert.equal(all.titles.length, 10, 'a first page of ten results');
    assert.ok(all.marks >= 10, 'matches are highlighted');
    assert.equal(await page.locator('main ol.search-results mark').first().innerText().then((s) => s.toLowerCase()), 'naloxone');
    assert.equal(await page.inputValue('#search-q'), 'naloxone', 'the query stays in the form');

    // Page 2 via the pager, then back.
    await Promise.all([page.waitForURL((u) => u.searchParams.get('page') === '2'), page.click('nav.pager a[rel="next"]')]);
    assert.equal((await page.locator('nav.pager [aria-current="page"]').innerText()).trim(), '2');
    const two = await results(page);
    assert.notDeepEqual(two.titles, all.titles, 'page 2 repeats page 1');
    await Promise.all([page.waitForURL((u) => !u.searchParams.has('page')), page.click('nav.pager a[rel="prev"]')]);
    assert.deepEqual((await results(page)).titles, all.titles);

    // Filter: events only.
    await page.selectOption('#search-kind', 'event');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('kind') === 'event'), page.click('main form.search-form button[type="submit"]')]);
    const events = await results(page);
    assert.ok(events.titles.length > 0, 'some events mention naloxone');
    assert.ok(events.kinds.every((k) => k === 'Event'), `only events: ${events.kinds}`);
    assert.equal(await page.inputValue('#search-kind'), 'event', 'the filter stays chosen');

    // A bad year is refused at its field, the search kept.
    await page.fill('#search-year', 'soon');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('year') === 'soon'), page.click('main form.search-form button[type="submit"]')]);
    assert.equal(await page.getAttribute('#search-year', 'aria-invalid'), 'true');
    assert.match(await page.locator('#search-year-error').innerText(), /four digits/);
    assert.equal(await page.inputValue('#search-q'), 'naloxone');

    // In Russian, an inflected form finds the Russian translations.
    await page.goto(url('/ru/'));
    await page.fill('header #site-search-q', 'налоксона');
    await Promise.all([page.waitForURL((u) => u.pathname === '/ru/search'), page.press('header #site-search-q', 'Enter')]);
    const ru = await results(page);
    assert.ok(ru.titles.length > 0, 'Russian results');
    assert.ok(ru.marks > 0, 'Russian matches highlighted');
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
