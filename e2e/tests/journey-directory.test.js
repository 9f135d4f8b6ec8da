'use strict';
// Journey: a visitor narrows the directory by region from the map's list
// and by country from the map itself, opens an organisation, then applies
// to join as a new one; the applicant confirms their address through the
// mailed link (read in the outbox, as the test site has no SMTP server);
// the administrator accepts the application and the profile goes live.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');
const { axeViolations, formatAxe } = require('../lib/browser');

const env = useSite();

const ORG = `Kelp Forest Peers ${Date.now().toString(36)}`;
const EMAIL = `applicant-${Date.now().toString(36)}@example.org`;

/** Reads the outbox until a mail to `to` holds a link matching `re`. */
async function mailedLink(page, url, to, re) {
  for (let i = 0; i < 30; i++) {
    await page.goto(url('/admin/outbox'));
    const texts = await page.locator('article.mail').evaluateAll((els, a) => els
      .filter((e) => e.innerText.includes(a)).map((e) => e.querySelector('pre').innerText), to);
    const m = texts.length ? texts[0].match(re) : null;
    if (m) return m[0];
    await page.waitForTimeout(500);
  }
  return null;
}

test('journey: filter the directory from the map, open an organisation, apply as a new one', JOURNEY, async () => {
  const { context, page, url, path, assertNoThirdParty } = await openPage(env, { bypassCSP: true }); // for axe
  try {
    await page.goto(url('/en/directory'));
    const map = page.locator('svg.world-map');
    assert.equal(await map.count(), 1, 'the directory draws a world map');
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `the directory:\n${formatAxe(violations)}`);

    // By region, from the map's list of places.
    await Promise.all([page.waitForURL(/\/en\/directory\?region=002$/),
      page.locator('section.world').getByRole('link', { name: 'Africa', exact: true }).click()]);
    const african = await page.locator('.directory-list').innerText();
    assert.match(african, /Harbour Harm Reduction Alliance/);
    assert.doesNotMatch(african, /Coalition for Rights in Drug Policy/);

    // By country, on the map: Kenya's shape is a link named for it.
    await Promise.all([page.waitForURL(/\/en\/directory\?country=KE$/), map.locator('a[data-country="KE"]').click()]);
    assert.equal(await page.locator('#f-country').inputValue(), 'KE');

    // The organisation's page.
    await Promise.all([page.waitForURL(url('/en/directory/harbour-alliance')),
      page.getByRole('link', { name: 'Harbour Harm Reduction Alliance' }).click()]);
    assert.match(await page.locator('h1').innerText(), /Harbour Harm Reduction Alliance/);
    assert.match(await page.locator('main').innerText(), /Joint statement/);

    // Apply to join as a new organisation.
    await page.goto(url('/en/directory'));
    await Promise.all([page.waitForURL(url('/en/directory/apply')), page.getByRole('link', { name: /Apply to join the directory/ }).click()]);
    const formViolations = await axeViolations(page);
    assert.equal(formViolations.length, 0, `the application form:\n${formatAxe(formViolations)}`);
    await page.getByLabel('Name', { exact: true }).fill(ORG);
    await page.selectOption('#type', 'local');
    await page.selectOption('#country', 'ZA');
    await page.getByRole('checkbox', { name: 'English' }).check();
    await page.fill('#description_en', 'Peers along the coast who run a drop-in space and a night outreach walk.');
    await page.getByLabel('Your name').fill('Thandi Journey');
    await page.getByLabel('Your email address').fill(EMAIL);
    // People take a while to write; the guard refuses forms sent within
    // seconds of being served.
    await page.waitForTimeout(3500);
    await Promise.all([page.waitForURL(url('/en/directory/apply/sent')), page.getByRole('button', { name: 'Send the application' }).click()]);
    assert.match(await page.locator('main').innerText(), /Check your mail/);

    // The administrator reads the verification link in the outbox.
    const admin = await context.browser().newContext();
    const ap = await admin.newPage();
    await ap.goto(url('/admin/login'));
    await ap.getByLabel('Email').fill(env.server.email);
    await ap.getByLabel('Password').fill(env.server.password);
    await Promise.all([ap.waitForURL(url('/admin/entries')), ap.getByRole('button', { name: 'Sign in' }).click()]);
    const link = await mailedLink(ap, url, EMAIL, /\/en\/directory\/apply\/verify\/[A-Za-z0-9_-]{43}/);
    assert.ok(link, `no verification link to ${EMAIL} in the outbox`);

    // The applicant confirms.
    await page.goto(url(link));
    await page.getByRole('button', { name: 'Confirm' }).click();
    assert.match(await page.locator('main').innerText(), /Your address is confirmed/);

    // Staff find it from the moderation dashboard and accept it.
    await ap.goto(url('/admin/moderation'));
    await Promise.all([ap.waitForURL(url('/admin/organisation-applications')),
      ap.getByRole('link', { name: /Applications to join the directory/ }).first().click()]);
    await Promise.all([ap.waitForURL(/\/admin\/organisation-applications\/\d+$/), ap.getByRole('link', { name: ORG }).click()]);
    assert.match(await ap.locator('.private-contact').innerText(), /Thandi Journey/);
    const slug = `kelp-${Date.now().toString(36)}`;
    await ap.fill('#slug', slug);
    await Promise.all([ap.waitForURL(/\/admin\/organisation-applications\?done=accepted$/),
      ap.getByRole('button', { name: 'Accept and publish the profile' }).click()]);
    await admin.close();

    // Live in the directory.
    await page.goto(url(`/en/directory/${slug}`));
    assert.match(await page.locator('h1').innerText(), new RegExp(ORG));
    assert.doesNotMatch(await page.locator('main').innerText(), /Thandi|applicant-/);
    assert.ok(path().endsWith(slug));
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
