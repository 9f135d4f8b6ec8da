'use strict';
// Journey: a staff member adds a passkey to their account, signs out,
// and signs in again with the passkey alone. Chromium's virtual
// authenticator (the DevTools WebAuthn domain) plays the security key.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, JOURNEY } = require('../lib/fixture');
const b = require('../lib/browser');

const env = useSite();

test('journey: add a passkey, sign out, sign in with the passkey', JOURNEY, async () => {
  // Browsers give bare IP addresses no passkeys: the demo is reached by
  // the name localhost, which the site accepts as its own without a
  // public address.
  const host = `localhost:${env.server.port}`;
  const url = (p) => `http://${host}${p}`;
  const context = await b.newContext(env.browser, { site: host });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const urls = b.recordRequests(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
        hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
      },
    });

    // Sign in with the password, then go to one's two-factor page.
    await page.goto(url('/admin/login'));
    await page.getByLabel('Email').fill(env.server.email);
    await page.getByLabel('Password').fill(env.server.password);
    await Promise.all([page.waitForURL(url('/admin/entries')), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await page.goto(url('/admin/account'));
    await Promise.all([page.waitForURL(url('/admin/account/two-factor')), page.getByRole('link', { name: 'Set up two-factor sign-in' }).click()]);
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
    assert.match(await page.locator('main').innerText(), /You have no passkeys yet/);

    // Add a passkey named for this laptop: the first second factor comes
    // with recovery codes, shown this once.
    await page.getByLabel('Name', { exact: true }).fill('This laptop');
    await Promise.all([page.waitForURL(url('/admin/account/two-factor/passkeys')),
      page.getByRole('button', { name: 'Add a passkey' }).click()]);
    assert.match(await page.locator('main').innerText(), /Passkey added/);
    assert.equal(await page.locator('ul.recovery-codes li').count(), 10, 'ten recovery codes with the first passkey');
    await page.goto(url('/admin/account/two-factor'));
    assert.match(await page.locator('table.passkeys').innerText(), /This laptop/);
    assert.match(await page.locator('main').innerText(), /Unused recovery codes: 10/);
    const violations = await b.axeViolations(page);
    assert.deepEqual(violations, [], `axe on the passkeys page:\n${b.formatAxe(violations)}`);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1, 'the authenticator keeps one passkey');
    assert.equal(credentials[0].isResidentCredential, true, 'the passkey signs in without the email');
    assert.equal(credentials[0].rpId, 'localhost');

    // Sign out; sign in with the passkey, no email or password typed.
    await Promise.all([page.waitForURL(url('/admin/login?out=1')), page.getByRole('button', { name: 'Sign out' }).click()]);
    await Promise.all([page.waitForURL(url('/admin/entries')),
      page.getByRole('button', { name: 'Sign in with a passkey' }).click()]);
    assert.match(await page.locator('header').innerText(), new RegExp(env.server.email.replace(/[.+]/g, '\\$&')));
    const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.ok(after.credentials[0].signCount > credentials[0].signCount, 'the passkey was used to sign in');

    // The list shows when it was last used.
    await page.goto(url('/admin/account/two-factor'));
    assert.doesNotMatch(await page.locator('table.passkeys').innerText(), /Never/);

    assert.deepEqual(b.thirdParty(urls, host), [], 'requests to other hosts');
  } finally {
    await context.close();
  }
});
