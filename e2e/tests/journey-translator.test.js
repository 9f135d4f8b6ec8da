'use strict';
// A translator working in Spanish, end to end: invited by the
// administrator, they choose a password and set the admin to Spanish
// (their own setting); the translations to do lead them to a new
// article; they translate and publish it, and it goes out when its source
// does; when the source changes they see what changed, side by side with
// the original, and bring the translation up to date. axe runs on the
// admin pages they use.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');
const b = require('../lib/browser');

const env = useSite();

const stamp = Date.now().toString(36);
const EN = {
  title: `Night buses carry naloxone kits ${stamp}`,
  summary: 'Drivers on three night routes now carry naloxone.',
  body: 'Peers trained forty drivers in one week.\n\nEach bus has a kit behind the driver.',
  changed: 'Peers trained sixty drivers in two weeks.\n\nEach bus has a kit behind the driver.',
};
const ES = {
  title: `Los autobuses nocturnos llevan naloxona ${stamp}`,
  summary: 'Los conductores de tres líneas nocturnas llevan naloxona.',
  body: 'Los pares formaron a cuarenta conductores en una semana.\n\nCada autobús lleva un kit detrás del conductor.',
  changed: 'Los pares formaron a sesenta conductores en dos semanas.\n\nCada autobús lleva un kit detrás del conductor.',
};

async function noAxe(page, what) {
  const v = await b.axeViolations(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.map((n) => n.target).join(', ')}`), [], `axe on ${what}`);
}

test('journey: a translator works in Spanish from invitation to an updated translation', { timeout: 150_000 }, async () => {
  const admin = await openPage(env, { bypassCSP: true });
  const tr = await openPage(env, { bypassCSP: true });
  try {
    const { page: ap, url } = admin;
    // The administrator writes an article in English, scheduled for next
    // year: settled enough to be translated, not out yet.
    await ap.goto(url('/admin/login'));
    await ap.fill('#email', env.server.email);
    await ap.fill('#password', env.server.password);
    await Promise.all([ap.waitForURL(url('/admin/entries')), ap.click('form[action="/admin/login"] button[type=submit]')]);
    await ap.goto(url('/admin/entries/new?kind=article'));
    await ap.fill('#title', EN.title);
    await ap.fill('#summary', EN.summary);
    await ap.fill('#body', EN.body);
    await ap.selectOption('#status', 'scheduled');
    await ap.fill('#publish_at', `${new Date().getFullYear() + 1}-01-15T10:00`);
    await Promise.all([ap.waitForURL(/\/admin\/entries\/\d+\?saved=1$/), ap.getByRole('button', { name: 'Save', exact: true }).click()]);
    const entryPath = new URL(ap.url()).pathname;

    // ... and invites a translator for Spanish.
    const email = `traductora-${stamp}@example.org`;
    await ap.goto(url('/admin/users'));
    await ap.fill('#email', email);
    await ap.fill('#name', 'Lucía');
    await ap.selectOption('#role', 'translator');
    await ap.check('form[action="/admin/users"] input[name="lang"][value="es"]');
    await ap.click('form[action="/admin/users"] button[type=submit]');
    // The invitation goes through the mail queue to the outbox.
    let link = null;
    for (let i = 0; i < 40 && !link; i++) {
      await ap.goto(url('/admin/outbox'));
      const mails = await ap.locator('article.mail', { hasText: email }).allInnerTexts();
      for (const mail of mails) {
        const found = mail.match(/\/admin\/invite\/[A-Za-z0-9_-]+/);
        if (found) link = found[0];
      }
      if (!link) await ap.waitForTimeout(500);
    }
    assert.ok(link, `no invitation mailed to ${email}`);

    // The translator chooses a password (the invitation speaks the
    // administrator's language), then works in Spanish: their own setting.
    const { page: tp } = tr;
    await tp.goto(url(link));
    await tp.fill('#password', `una-contraseña-larga-${stamp}`);
    await Promise.all([tp.waitForURL(url('/admin/entries')), tp.click('main form button[type=submit]')]);
    await tp.goto(url('/admin/account'));
    await tp.selectOption('#lang', 'es');
    await tp.click('form[action="/admin/account/language"] button[type=submit]');
    await tp.waitForLoadState();
    await tp.goto(url('/admin/entries'));
    assert.equal(await tp.getAttribute('html', 'lang'), 'es');
    assert.match(await tp.locator('nav').first().innerText(), /Traducciones pendientes/);

    // What needs translating: Spanish, then the new article.
    await tp.getByRole('link', { name: 'Traducciones pendientes' }).click();
    await tp.waitForURL(/\/admin\/translations/);
    await noAxe(tp, 'the translations to do, in Spanish');
    if (!/lang=es/.test(tp.url())) {
      await Promise.all([tp.waitForURL(url('/admin/translations?lang=es')), tp.getByRole('link', { name: 'Español', exact: true }).click()]);
    }
    await Promise.all([tp.waitForURL(url(`${entryPath}/translations/es`)), tp.getByRole('link', { name: EN.title, exact: true }).click()]);
    assert.match(await tp.locator('section.source').innerText(), /forty drivers/);
    await noAxe(tp, 'the translation editor, in Spanish');
    await tp.fill('#title', ES.title);
    await tp.fill('#summary', ES.summary);
    await tp.fill('#body', ES.body);
    await tp.selectOption('#status', 'published');
    await Promise.all([tp.waitForURL(url(`${entryPath}/translations/es?saved=1`)), tp.getByRole('button', { name: 'Guardar', exact: true }).click()]);

    // Published, it goes out with its source: not while the source waits.
    const esArchive = async () => (await (await fetch(url('/es/articles'))).text());
    assert.doesNotMatch(await esArchive(), new RegExp(ES.title));
    await ap.goto(url(entryPath));
    await ap.selectOption('#status', 'published');
    await ap.fill('#publish_at', ''); // now, not next year
    await Promise.all([ap.waitForURL(url(`${entryPath}?saved=1`)), ap.getByRole('button', { name: 'Save', exact: true }).click()]);
    assert.match(await esArchive(), new RegExp(ES.title));

    // The source changes; the translator sees it outdated, and what changed.
    await ap.fill('#body', EN.changed);
    await Promise.all([ap.waitForURL(url(`${entryPath}?saved=1`)), ap.getByRole('button', { name: 'Save', exact: true }).click()]);
    await tp.goto(url('/admin/translations?lang=es'));
    const row = tp.locator('tr', { hasText: EN.title });
    assert.match(await row.innerText(), /desactualizada|Desactualizada|original/i);
    await Promise.all([tp.waitForURL(url(`${entryPath}/translations/es`)), row.getByRole('link', { name: EN.title, exact: true }).click()]);
    assert.match(await tp.locator('main').innerText(), /El original ha cambiado/);
    // What was taken out and what was put in are marked; the rest is not.
    const diff = tp.locator('section.changes .diff');
    const removed = (await diff.locator('del').allInnerTexts()).join(' ');
    const added = (await diff.locator('ins').allInnerTexts()).join(' ');
    // forty → sixty, one → two: the letters that changed.
    assert.match(removed, /for.*one/);
    assert.match(added, /six.*two/);
    assert.doesNotMatch(removed + added, /Each bus has a kit|Drivers on three/, 'unchanged words are marked as changed');
    await noAxe(tp, 'the translation editor with the changes');
    await tp.fill('#body', ES.changed);
    await Promise.all([tp.waitForURL(url(`${entryPath}/translations/es?saved=1`)), tp.getByRole('button', { name: 'Guardar', exact: true }).click()]);
    assert.doesNotMatch(await tp.locator('main').innerText(), /El original ha cambiado/);

    // Readers of Spanish read the new words.
    const es = await (await fetch(url('/es/articles'))).text();
    const m = es.match(new RegExp(`href="(/es/articles/[^"]+)"[^>]*>${ES.title}`));
    assert.ok(m, 'the Spanish article is not listed');
    const page = await (await fetch(url(m[1]))).text();
    assert.match(page, /sesenta conductores/);
    admin.assertNoThirdParty(assert);
    tr.assertNoThirdParty(assert);
  } finally {
    await admin.context.close();
    await tr.context.close();
  }
});
