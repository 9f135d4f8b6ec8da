'use strict';
// Journey 3: an editor signs in, writes a new article with a preview,
// translates it into Russian, publishes both and reads them on the site.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();

const stamp = Date.now().toString(36);
const EN = {
  title: `Peer support lines open in three cities ${stamp}`,
  summary: 'Three new peer-run phone lines answer every evening.',
  heading: 'Who answers the phone',
  text: 'Every volunteer on the line has lived experience of drug use.',
};
const RU = {
  title: `Телефоны поддержки равных открылись в трёх городах ${stamp}`,
  summary: 'Три новые линии, которые ведут равные консультанты, работают каждый вечер.',
  heading: 'Кто отвечает на звонки',
  text: 'У каждого волонтёра линии есть собственный опыт употребления наркотиков.',
};
const markdown = (t) => `${t.summary}\n\n## ${t.heading}\n\n${t.text}\n`;

test('journey: write, preview, save, translate, publish and read an article', JOURNEY, async () => {
  const { context, page, url, path, assertNoThirdParty } = await openPage(env);
  try {
    // Sign in with the demo administrator.
    await page.goto(url('/admin/login'));
    await page.getByLabel('Email').fill(env.server.email);
    await page.getByLabel('Password').fill(env.server.password);
    await Promise.all([page.waitForURL(url('/admin/entries')), page.getByRole('button', { name: 'Sign in' }).click()]);

    // New entry: title, summary, Markdown body with a heading.
    await Promise.all([page.waitForURL(url('/admin/entries/new')),
      page.getByRole('navigation').getByRole('link', { name: 'New entry', exact: true }).click()]);
    // The kind comes first, so that its form has its fields.
    await Promise.all([page.waitForURL(url('/admin/entries/new?kind=article')),
      page.getByRole('link', { name: 'Article', exact: true }).click()]);
    await page.fill('#title', EN.title);
    await page.fill('#summary', EN.summary);
    await page.fill('#body', markdown(EN));

    // Preview renders the heading in the page as readers will see it,
    // beside the form, which keeps what was typed.
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/admin/entries/preview')),
      page.getByRole('button', { name: 'Preview', exact: true }).click()]);
    const frame = page.frame({ name: 'preview-frame' });
    await frame.waitForSelector('article .body');
    const preview = frame.locator('article .body');
    assert.equal(await preview.locator('h1, h2, h3, h4, h5, h6', { hasText: EN.heading }).count(), 1,
      `the preview does not show the heading rendered: ${await preview.innerHTML().catch(() => '(no preview)')}`);
    assert.doesNotMatch(await preview.innerText(), /##/);
    assert.equal(await page.inputValue('#title'), EN.title);

    // Save (as a draft, the default status).
    await Promise.all([page.waitForURL(/\/admin\/entries\/\d+\?saved=1$/), page.getByRole('button', { name: 'Save', exact: true }).click()]);
    const entryPath = new URL(page.url()).pathname;

    // The Russian row of the translations table: "Translate".
    const ruRow = page.locator('section[aria-labelledby="tr-title"] tbody tr', { has: page.locator('td[lang="ru"]') });
    assert.match(await ruRow.locator('td').first().innerText(), /Русский/);
    await Promise.all([page.waitForURL(url(`${entryPath}/translations/ru`)),
      ruRow.getByRole('link', { name: 'Translate', exact: true }).click()]);
    // The source is shown beside the form.
    assert.match(await page.locator('section.source').innerText(), new RegExp(EN.heading));
    await page.fill('#title', RU.title);
    await page.fill('#summary', RU.summary);
    await page.fill('#body', markdown(RU));
    await page.selectOption('#status', 'published');
    await Promise.all([page.waitForURL(url(`${entryPath}/translations/ru?saved=1`)), page.getByRole('button', { name: 'Save', exact: true }).click()]);

    // Publish the English source too.
    await Promise.all([page.waitForURL(url(entryPath)), page.getByRole('link', { name: 'Back to the entry' }).click()]);
    await page.selectOption('#status', 'published');
    await Promise.all([page.waitForURL(url(`${entryPath}?saved=1`)), page.getByRole('button', { name: 'Save', exact: true }).click()]);
    const statuses = await page.locator('section[aria-labelledby="tr-title"] tbody tr').evaluateAll((rows) => Object.fromEntries(rows
      .map((r) => [r.querySelector('td[lang]').getAttribute('lang'), r.querySelector('.status') && r.querySelector('.status').className])));
    assert.match(statuses.en || '', /status-published/, 'English not published');
    assert.match(statuses.ru || '', /status-published/, 'Russian not published');

    // The public English page, through "View on the site".
    await Promise.all([page.waitForURL(/\/en\/articles\/[^/]+$/), page.getByRole('link', { name: 'View on the site' }).click()]);
    const enPath = path();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.locator('main h1').innerText(), EN.title);
    const enBody = await page.locator('article .body').innerText();
    assert.match(enBody, new RegExp(EN.text));
    assert.equal(await page.locator('article .body').locator('h2, h3', { hasText: EN.heading }).count(), 1);

    // Its switcher links the Russian translation ...
    const toRussian = page.locator('nav.switcher').getByRole('link', { name: 'Русский', exact: true });
    await Promise.all([page.waitForURL(/\/ru\/articles\/[^/]+$/), toRussian.click()]);
    const ruPath = path();
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    assert.equal(await page.locator('main h1').innerText(), RU.title);
    assert.match(await page.locator('article .body').innerText(), new RegExp(RU.text));
    assert.equal(await page.locator('article .body').locator('h2, h3', { hasText: RU.heading }).count(), 1);

    // ... and the Russian page's switcher links back to the English one.
    const toEnglish = page.locator('nav.switcher').getByRole('link', { name: 'English', exact: true });
    await Promise.all([page.waitForURL(url(enPath)), toEnglish.click()]);
    assert.equal(await page.locator('main h1').innerText(), EN.title);
    assert.notEqual(ruPath, enPath);
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
