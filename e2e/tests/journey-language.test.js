'use strict';
// Journey 1: read the featured campaign in Russian, switch to French, and
// find French remembered at "/".

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();

// The featured campaign of the demo (internal/demo/content/006-remember-every-name.md).
const CAMPAIGN = {
  ru: { path: '/ru/campaigns/pomnit-kazhdoe-imya', title: 'Помнить каждое имя' },
  fr: { path: '/fr/campaigns/se-souvenir-de-chaque-nom', title: 'Se souvenir de chaque nom' },
};

test('journey: read the featured campaign in Russian, then switch to French', JOURNEY, async () => {
  const { context, page, url, path, assertNoThirdParty } = await openPage(env);
  try {
    await page.goto(url('/ru/'));
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');

    // The featured campaign on the Russian home page.
    const featured = page.locator('section.featured h2 a');
    assert.match(await featured.innerText(), new RegExp(CAMPAIGN.ru.title));
    await Promise.all([page.waitForURL(url(CAMPAIGN.ru.path)), featured.click()]);
    assert.equal(path(), CAMPAIGN.ru.path);
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    assert.match(await page.locator('main h1').innerText(), new RegExp(CAMPAIGN.ru.title));

    // "Français" in the language switcher leads to the same campaign in French.
    const french = page.locator('nav.switcher').getByRole('link', { name: 'Français', exact: true });
    await Promise.all([page.waitForURL(url(CAMPAIGN.fr.path)), french.click()]);
    assert.equal(path(), CAMPAIGN.fr.path);
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    assert.match(await page.locator('main h1').innerText(), new RegExp(CAMPAIGN.fr.title));
    // The switcher now marks French as the current language.
    assert.equal(await page.locator('nav.switcher [aria-current="true"]').innerText(), 'Français');

    // The choice is remembered: "/" now leads to /fr/ ...
    await page.goto(url('/'));
    assert.equal(path(), '/fr/');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    assertNoThirdParty(assert);

    // ... because of the cookie: the same browser without it lands on
    // English, the language it asks for (en-GB).
    await context.clearCookies();
    await page.goto(url('/'));
    assert.equal(path(), '/en/');
  } finally {
    await context.close();
  }
});
