'use strict';
// Journey: staff add what was gathered elsewhere. A moderator (the demo
// administrator) imports signatures of the demo's open letter from a CSV
// file, sees the preview with a row's error by its line number, confirms
// without mailing anyone, and finds the signatories listed; then adds a
// tribute collected by hand to the campaign's wall, which appears on the
// wall at once.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');
const { axeViolations, formatAxe } = require('../lib/browser');

const env = useSite();

const TAG = Date.now().toString(36);
const PERSON = `Imported Person ${TAG}`;
const ORG = `Paper List Collective ${TAG}`;
const TRIBUTE = `Remembered By Hand ${TAG}`;

async function signIn(page, url) {
  await page.goto(url('/admin/login'));
  await page.getByLabel('Email').fill(env.server.email);
  await page.getByLabel('Password').fill(env.server.password);
  await Promise.all([page.waitForURL(url('/admin/entries')), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function entryID(page, url, q) {
  await page.goto(url(`/admin/entries?q=${encodeURIComponent(q)}`));
  return (await page.getAttribute('table.list tbody tr:first-child td:first-child a', 'href')).match(/(\d+)$/)[1];
}

test('journey: import signatures from CSV, and add a tribute gathered by hand', JOURNEY, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env);
  try {
    await signIn(page, url);
    const letter = await entryID(page, url, 'a cure for hepatitis c');
    await page.goto(url(`/admin/entries/${letter}/signatures`));
    await Promise.all([page.waitForURL(url(`/admin/entries/${letter}/signatures/import`)),
      page.getByRole('link', { name: 'Import signatures from a CSV file' }).click()]);

    const csv = 'name,organisation,country,email,signed_at,consent\n' +
      `,${ORG},Kenya,,2025-03-02,signed on paper 2025-03-02\n` +
      `${PERSON},,UG,person-${TAG}@example.org,,form on old site\n` +
      'Nobody,,Atlantis,,,\n';
    await page.setInputFiles('#file', { name: 'signatures.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = await page.locator('main').innerText();
    assert.match(preview, /Ready to import: 2\./);
    assert.match(preview, /Rows with errors, left out: 1\./);
    assert.match(preview, /Unknown country “Atlantis”/);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], formatAxe(violations));

    // "Send a confirmation" is not ticked: no one is mailed.
    assert.equal(await page.getByRole('checkbox', { name: /Send a confirmation/ }).first().isChecked(), false);
    await Promise.all([page.waitForURL(/\/signatures\?done=imported/), page.getByRole('button', { name: 'Import 2 signatures' }).click()]);
    assert.match(await page.locator('main').innerText(), /Signatures imported: 2\./);
    assert.match(await page.locator('main').innerText(), new RegExp(ORG));

    await page.goto(url('/admin/outbox'));
    assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(`person-${TAG}@example.org`));

    await page.goto(url('/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury/signatures'));
    assert.match(await page.locator('main').innerText(), new RegExp(ORG));

    // Related entries are found by typing, not picked from a long list.
    const campaign = await entryID(page, url, 'remember every name');
    await page.goto(url(`/admin/entries/${campaign}/campaign`));
    await page.getByLabel('Find an event, statement or publication to link').pressSequentially('hepatitis');
    const add = page.locator('#link-results').getByRole('button', { name: /^Add: .*[Hh]epatitis/ }).first();
    await add.waitFor();
    await add.click();
    await page.waitForLoadState();
    assert.ok(await page.getByRole('button', { name: /^Remove: .*[Hh]epatitis/ }).count() > 0, 'the chosen statement is not listed');

    // A tribute collected by hand, published at once.
    await page.goto(url(`/admin/entries/${campaign}/campaign`));
    await Promise.all([page.waitForURL(url(`/admin/entries/${campaign}/campaign/tributes/new`)),
      page.getByRole('link', { name: 'Add a tribute gathered elsewhere' }).click()]);
    await page.getByLabel('Name as it should appear').fill(TRIBUTE);
    await page.getByLabel('Words', { exact: true }).fill('He carried naloxone for everyone on the block.');
    await page.getByLabel('How it was given').fill('on paper at the vigil');
    await page.getByLabel('Given by').fill('his brother');
    await page.getByRole('button', { name: 'Add the tribute' }).click();
    assert.match(await page.locator('main').innerText(), /The tribute was added\./);

    await page.goto(url('/en/campaigns/remember-every-name/tributes/'));
    const wall = await page.locator('main').innerText();
    assert.match(wall, new RegExp(TRIBUTE));
    assert.doesNotMatch(wall, /his brother/);
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
