'use strict';
// Journey: an editor who does not know Markdown writes an article with the
// toolbar (and its keyboard shortcuts), pastes from a word processor,
// places a photo in the text before ever saving, previews the page at
// phone width, publishes, and a Russian translation follows. axe runs on
// the editor's pages.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');
const b = require('../lib/browser');

const env = useSite();
const stamp = Date.now().toString(36);
const TITLE = `Drop-in centre opens on weekdays ${stamp}`;
const RU_TITLE = `Центр открыт по будням ${stamp}`;

// What Word puts on the clipboard for a paragraph with a bold phrase, an
// empty paragraph and a two-item list.
const WORD = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta name=Generator content="Microsoft Word 15"><style>p.MsoNormal{mso-style-unhide:no;font-family:"Calibri",sans-serif}</style></head>
<body lang=EN-GB><!--StartFragment-->
<p class=MsoNormal><span lang=EN-US style='mso-ansi-language:EN-US'>Last year we gave out <b style='mso-bidi-font-weight:normal'>4,000 kits</b>.<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]><span lang=EN-US>Carry naloxone<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]><span lang=EN-US>Never use alone<o:p></o:p></span></p>
<!--EndFragment--></body></html>`;

async function noAxe(page, what) {
  const v = await b.axeViolations(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.map((n) => n.target).join(', ')}`), [], `axe on ${what}`);
}

const bodyText = (page) => page.inputValue('#body');

async function waitForBody(page, re, what) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('body').value), re.source)
    .catch(async () => assert.fail(`${what}: the text is\n${await bodyText(page)}`));
}

test('journey: write without Markdown, paste, place a photo, preview on a phone, publish, translate', JOURNEY, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env);
  try {
    await page.goto(url('/admin/login'));
    await page.getByLabel('Email').fill(env.server.email);
    await page.getByLabel('Password').fill(env.server.password);
    await Promise.all([page.waitForURL(url('/admin/entries')), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.goto(url('/admin/entries/new?kind=article'));
    const toolbar = page.getByRole('toolbar', { name: 'Formatting' });
    assert.ok(await toolbar.isVisible(), 'no toolbar over the text');
    await noAxe(page, 'the new article form with its toolbar');
    // Arrow keys move along the toolbar.
    await toolbar.getByRole('button', { name: 'Heading', exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Subheading');

    await page.fill('#title', TITLE);
    // A heading from the toolbar: the line becomes "## …".
    const body = page.locator('#body');
    await body.fill('Opening hours');
    await toolbar.getByRole('button', { name: 'Heading', exact: true }).click();
    assert.equal(await bodyText(page), '## Opening hours');
    // Bold by the keyboard, around what is typed next.
    await body.press('End');
    await body.press('Enter');
    await body.press('Enter');
    await body.pressSequentially('We are open ');
    await body.press('Control+b');
    await body.pressSequentially('every weekday');
    assert.equal(await bodyText(page), '## Opening hours\n\nWe are open **every weekday**');
    // A selected word made a link, the address asked for.
    await page.evaluate(() => { const t = document.getElementById('body'); t.setSelectionRange(t.value.indexOf('weekday'), t.value.indexOf('weekday') + 7); });
    page.once('dialog', (d) => d.accept('https://example.org/hours'));
    await toolbar.getByRole('button', { name: 'Link', exact: true }).click();
    assert.match(await bodyText(page), /\*\*every \[weekday\]\(https:\/\/example\.org\/hours\)\*\*/);
    // Bulleted list on a new line.
    await body.press('Control+End');
    await body.press('Enter');
    await body.pressSequentially('Bring a friend');
    await toolbar.getByRole('button', { name: 'Bulleted list', exact: true }).click();
    assert.match(await bodyText(page), /\n- Bring a friend$/);

    // Paste from Word: clean Markdown, none of Word's codes.
    await body.press('Control+End');
    await body.press('Enter');
    await body.press('Enter');
    await body.evaluate((el, html) => {
      const dt = new DataTransfer();
      dt.setData('text/html', html);
      dt.setData('text/plain', 'Last year we gave out 4,000 kits.');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, WORD);
    await waitForBody(page, /Last year we gave out \*\*4,000 kits\*\*\.\n\n- Carry naloxone\n- Never use alone/, 'the paste');
    const pasted = await bodyText(page);
    assert.doesNotMatch(pasted, /mso|Calibri|StartFragment|·|<|&nbsp;/, `Word's codes were pasted:\n${pasted}`);

    // A photo placed at the cursor, before the entry was ever saved.
    const photo = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 1200; c.height = 800;
      const g = c.getContext('2d');
      g.fillStyle = '#3a6'; g.fillRect(0, 0, 1200, 800);
      g.fillStyle = '#fff'; g.fillRect(300, 200, 600, 400);
      return c.toDataURL('image/jpeg', 0.8).split(',')[1];
    });
    await body.press('Control+End');
    page.once('dialog', (d) => d.accept('The open door of the centre'));
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'),
      toolbar.getByRole('button', { name: 'Insert image', exact: true }).click()]);
    await chooser.setFiles({ name: 'door.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(photo, 'base64') });
    await waitForBody(page, /!\[The open door of the centre\]\(\/media\/\d{4}\/\d{2}\/[\w-]+\.jpg\)/, 'the photo');

    // Preview at phone width, in the page, from the unsaved form.
    assert.ok(await page.getByRole('radio', { name: 'Phone' }).isChecked());
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/admin/entries/preview') && r.status() === 200),
      page.getByRole('button', { name: 'Preview', exact: true }).click()]);
    const frame = page.frame({ name: 'preview-frame' });
    await frame.waitForSelector('article .body h2');
    assert.equal(await frame.locator('main h1').innerText(), TITLE);
    assert.equal(await frame.getAttribute('html', 'lang'), 'en');
    assert.equal(await frame.locator('article .body h2').innerText(), 'Opening hours');
    assert.equal(await frame.locator('article .body strong', { hasText: '4,000 kits' }).count(), 1);
    const img = frame.locator('article .body img[alt="The open door of the centre"]');
    assert.equal(await img.getAttribute('width'), '1200');
    assert.equal(await img.getAttribute('loading'), 'lazy');
    const widths = await frame.evaluate(() => [document.documentElement.clientWidth, document.documentElement.scrollWidth]);
    assert.ok(widths[0] <= 360 && widths[1] <= widths[0], `the phone preview is ${widths.join(' / ')} px wide`);
    assert.equal(page.url(), url('/admin/entries/new?kind=article'), 'the preview left the form');
    assert.equal(await page.inputValue('#title'), TITLE);

    // Publish; the photo comes with the save.
    await page.selectOption('#status', 'published');
    await Promise.all([page.waitForURL(/\/admin\/entries\/\d+\?saved=1$/), page.getByRole('button', { name: 'Save', exact: true }).click()]);
    const entryPath = new URL(page.url()).pathname;
    await noAxe(page, 'the saved article form');

    // A translation follows, written with the toolbar too.
    await page.goto(url(`${entryPath}/translations/ru`));
    await noAxe(page, 'the translation form');
    await page.fill('#title', RU_TITLE);
    const ruBody = page.locator('#body');
    await ruBody.fill('Мы открыты ');
    await ruBody.press('Control+End');
    await ruBody.press('Control+b');
    await ruBody.pressSequentially('по будням');
    assert.equal(await bodyText(page), 'Мы открыты **по будням**');
    await page.selectOption('#status', 'published');
    await Promise.all([page.waitForURL(url(`${entryPath}/translations/ru?saved=1`)), page.getByRole('button', { name: 'Save', exact: true }).click()]);

    // Readers see it, the photo in its sizes, in both languages.
    await page.goto(url(entryPath));
    await Promise.all([page.waitForURL(/\/en\/articles\/[^/]+$/), page.getByRole('link', { name: 'View on the site' }).click()]);
    const pub = page.locator('article .body img[alt="The open door of the centre"]');
    assert.equal(await pub.getAttribute('height'), '800');
    assert.equal(await pub.getAttribute('loading'), 'lazy');
    await Promise.all([page.waitForURL(/\/ru\/articles\/[^/]+$/),
      page.locator('nav.switcher').getByRole('link', { name: 'Русский', exact: true }).click()]);
    assert.equal(await page.locator('main h1').innerText(), RU_TITLE);
    assert.equal(await page.locator('article .body strong').innerText(), 'по будням');
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
