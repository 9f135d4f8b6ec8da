'use strict';
// Journey: on a phone (360 px), an editor creates an event in one pass —
// kind first, its time in a zone named by a city, speakers reordered in
// place, agenda and interpretation as rows — then reads it on the site.
// A refused form is summed up at the top, focused, and keeps what was
// typed. axe runs on the new pages.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');
const b = require('../lib/browser');

const env = useSite();
const stamp = Date.now().toString(36);
const TITLE = `Peer navigators meet in London ${stamp}`;

async function noAxe(page, what) {
  const v = await b.axeViolations(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.map((n) => n.target).join(', ')}`), [], `axe on ${what}`);
}

test('journey: an event created in one pass at 360 px', JOURNEY, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env, { viewport: { width: 360, height: 780 } });
  try {
    await page.goto(url('/admin/login'));
    await page.getByLabel('Email').fill(env.server.email);
    await page.getByLabel('Password').fill(env.server.password);
    await Promise.all([page.waitForURL(url('/admin/entries')), page.getByRole('button', { name: 'Sign in' }).click()]);

    // The kind first.
    await page.goto(url('/admin/entries/new'));
    await noAxe(page, 'the choice of kind');
    await Promise.all([page.waitForURL(url('/admin/entries/new?kind=event')),
      page.getByRole('link', { name: 'Event', exact: true }).click()]);
    assert.ok(await page.locator('#event_start').isVisible(), 'the event fields are not shown at once');
    await noAxe(page, 'the new event form');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `the form is ${width} px wide at 360 px`);

    await page.fill('#title', TITLE);
    await page.fill('#body', 'An afternoon of exchange between peer navigators.');
    await page.selectOption('#status', 'published');
    await page.fill('#event_start', '2031-06-10T15:00');
    await page.fill('#event_zone', 'London');
    await page.fill('#event_venue', 'Community hall');

    // Two speakers; the second moved up in place; a third row added in
    // place and left empty.
    await page.fill('#event_speaker_name-1', 'Amina Yusuf');
    await page.fill('#event_speaker_role-1', 'Navigator');
    await page.fill('#event_speaker_name-2', 'Ravi Menon');
    await page.fill('#event_speaker_org-2', 'Peer Network');
    const speakers = page.locator('fieldset#event_speaker');
    await speakers.locator('li.list-row').nth(1).getByRole('button', { name: 'Move up' }).click();
    assert.equal(await page.inputValue('#event_speaker_name-1'), 'Ravi Menon');
    assert.equal(await page.inputValue('#event_speaker_name-2'), 'Amina Yusuf');
    const rowsBefore = await speakers.locator('li.list-row').count();
    const before = page.url();
    await speakers.getByRole('button', { name: 'More rows' }).click();
    assert.equal(await speakers.locator('li.list-row').count(), rowsBefore + 1);
    assert.equal(page.url(), before, 'More rows left the page');

    // The agenda and interpretation.
    await page.fill('#event_agenda_time-1', '15:00');
    await page.fill('#event_agenda_title-1', 'Welcome');
    await page.fill('#event_agenda_time-2', '+45');
    await page.fill('#event_agenda_title-2', 'Questions');
    await page.fill('#event_lang_code-1', 'es');
    await page.selectOption('#event_lang_status-1', 'tbc');

    await Promise.all([page.waitForURL(/\/admin\/entries\/\d+\?saved=1$/), page.getByRole('button', { name: 'Save', exact: true }).click()]);
    assert.equal(await page.inputValue('#event_zone'), 'London · United Kingdom'); // the zone found, as the editor knows it
    assert.equal(await page.inputValue('#event_speaker_name-1'), 'Ravi Menon');
    assert.equal(await page.inputValue('#event_agenda_title-2'), 'Questions');
    await noAxe(page, 'the saved event in the editor');

    // The public page, as a reader sees it.
    await Promise.all([page.waitForURL(/\/en\/events\/[^/]+$/), page.getByRole('link', { name: 'View on the site' }).click()]);
    const text = await page.locator('main').innerText();
    assert.match(text, /Ravi Menon[\s\S]*Amina Yusuf/);
    assert.match(text, /Welcome[\s\S]*Questions/);
    assert.match(text, /London · Greenwich Mean Time/); // the zone as readers name it

    // A refused form: summed up at the top, focused, everything kept.
    await page.goto(url('/admin/entries/new?kind=event'));
    await page.fill('#title', `Nowhere ${stamp}`);
    await page.fill('#event_start', '2031-06-10T15:00');
    await page.fill('#event_zone', 'Atlantis');
    await page.fill('#event_agenda_time-1', '16:00');
    const [resp] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Save', exact: true }).click()]);
    assert.equal(resp.status(), 422);
    await page.waitForLoadState('load');
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'error-summary');
    const summary = page.getByRole('alert');
    assert.match(await summary.innerText(), /Time zone: No time zone goes by that name/);
    assert.match(await summary.innerText(), /Item, row 1: Give this agenda item a title/);
    assert.equal(await page.inputValue('#event_zone'), 'Atlantis');
    await noAxe(page, 'the refused form');
    await summary.getByRole('link', { name: /Time zone/ }).click();
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'event_zone');

    // Changing the kind shows its fields at once.
    await page.goto(url('/admin/entries/new?kind=article'));
    assert.equal(await page.locator('#event_start').isVisible(), false);
    await page.selectOption('#kind', 'event');
    assert.ok(await page.locator('#event_start').isVisible(), 'choosing Event does not show its fields');
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
