'use strict';
// Journey: an operator starts peerpress on an empty site and makes the
// first administrator in the browser, at /setup, from the server itself;
// then the page is gone.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { binary } = require('../lib/server');
const b = require('../lib/browser');
const { JOURNEY } = require('../lib/fixture');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

const env = { tmp: null, child: null, base: null, host: null, browser: null, log: '' };

before(async () => {
  env.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerpress-e2e-setup-'));
  const bin = binary(env.tmp);
  const data = path.join(env.tmp, 'data');
  fs.writeFileSync(path.join(env.tmp, 'data.site.key'), execFileSync(bin, ['keygen']), { mode: 0o600 });
  execFileSync(bin, ['migrate', '--data', data]);
  const port = await freePort();
  env.host = `127.0.0.1:${port}`;
  env.base = `http://${env.host}`;
  env.child = spawn(bin, ['serve', '--addr', env.host, '--data', data, '--base-url', env.base, '--languages', 'en,fr'], {
    cwd: env.tmp, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PEERPRESS_LOG: '' },
  });
  env.child.stderr.on('data', (d) => { env.log += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peerpress serve did not start in 60 s:\n${env.log}`)), 60_000);
    env.child.stdout.on('data', (d) => { if (String(d).includes('peerpress is serving')) { clearTimeout(timer); resolve(); } });
    env.child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`peerpress serve exited with ${code}:\n${env.log}`)); });
  });
  env.child.removeAllListeners('exit');
  env.browser = await b.launch();
}, { timeout: 600_000 });

after(async () => {
  if (env.browser) await env.browser.close();
  if (env.child && env.child.exitCode === null) {
    const exited = new Promise((r) => env.child.once('exit', r));
    env.child.kill('SIGTERM');
    await exited;
  }
  if (env.tmp) fs.rmSync(env.tmp, { recursive: true, force: true });
}, { timeout: 30_000 });

test('journey: make the first administrator at /setup, then the page is gone', JOURNEY, async () => {
  // The log tells the operator where to go.
  assert.match(env.log, /no administrator yet: make the first one at \/setup/);
  const context = await b.newContext(env.browser, { site: env.host });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const urls = b.recordRequests(page);
  try {
    const first = await page.goto(`${env.base}/setup`);
    assert.equal(first.status(), 200);
    assert.equal(await page.locator('main h1').innerText(), 'Create the first administrator');
    const violations = await b.axeViolations(page);
    assert.deepEqual(violations, [], b.formatAxe(violations));

    // A password too short: said, and nothing made.
    await page.getByLabel('Email').fill('first@example.org');
    await page.getByLabel('Name').fill('First Admin');
    await page.getByLabel('New password').fill('short');
    await page.evaluate(() => document.querySelector('#password').removeAttribute('minlength'));
    await page.getByRole('button', { name: 'Create the administrator and sign in' }).click();
    await page.waitForLoadState();
    assert.match(await page.locator('[role="alert"]').innerText(), /at least 10 characters/);

    await page.getByLabel('New password').fill('a long enough password');
    await Promise.all([page.waitForURL(`${env.base}/admin/entries`), page.getByRole('button', { name: 'Create the administrator and sign in' }).click()]);
    // Signed in as the new administrator: the users page is theirs.
    const users = await page.goto(`${env.base}/admin/users`);
    assert.equal(users.status(), 200);
    assert.match(await page.locator('main').innerText(), /first@example\.org/);

    // Gone, for this browser and for a fresh one.
    assert.equal((await page.goto(`${env.base}/setup`)).status(), 404);
    const other = await (await b.newContext(env.browser, { site: env.host })).newPage();
    assert.equal((await other.goto(`${env.base}/setup`)).status(), 404);
    assert.deepEqual(b.thirdParty(urls, env.host), [], 'requests to other hosts');
  } finally {
    await context.close();
  }
});
