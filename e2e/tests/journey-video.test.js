'use strict';
// Journey: an editor writes a YouTube link on its own line; the published
// page shows a poster and makes no request to any other host; pressing
// the poster puts youtube-nocookie.com's player in its place (its request
// is then the reader's choice, and is blocked here, never leaving the
// machine).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const b = require('../lib/browser');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();
const SLUG = `film-night-${Date.now().toString(36)}`;

test('journey: a video link becomes a poster that loads nothing until pressed', JOURNEY, async () => {
  const { context, page, url, urls } = await openPage(env);
  try {
    await page.goto(url('/admin/login'));
    await page.getByLabel('Email').fill(env.server.email);
    await page.getByLabel('Password').fill(env.server.password);
    await Promise.all([page.waitForURL(url('/admin/entries')), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.goto(url('/admin/entries/new?kind=article'));
    await page.fill('#title', 'Film night');
    await page.fill('#slug', SLUG);
    await page.fill('#body', 'Watch the film:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n');
    await page.selectOption('#status', 'published');
    await Promise.all([page.waitForURL(/\/admin\/entries\/\d+\?saved=1$/), page.getByRole('button', { name: 'Save', exact: true }).click()]);

    urls.length = 0;
    await page.goto(url(`/en/articles/${SLUG}`));
    const poster = page.locator('figure.video a.video-poster');
    assert.equal(await poster.getAttribute('href'), 'https://www.youtube.com/watch?v=dQw4w9WgXcQ');
    assert.match(await page.locator('figure.video').innerText(), /Video on YouTube/);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(b.thirdParty(urls, env.server.host), [], 'the page called another host before the reader asked');
    const violations = await b.axeViolations(page);
    assert.deepEqual(violations, [], b.formatAxe(violations));

    await poster.click();
    const frame = page.locator('figure.video iframe.video-player');
    await frame.waitFor();
    assert.equal(await frame.getAttribute('src'), 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1');
    assert.equal(await frame.getAttribute('title'), 'Video');
    assert.equal(page.url(), url(`/en/articles/${SLUG}`), 'the click left the page');
  } finally {
    await context.close();
  }
});
