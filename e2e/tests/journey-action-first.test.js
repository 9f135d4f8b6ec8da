'use strict';
// On a phone (360 px wide) what a visitor came for is on the first screen:
// the Register button of an event, the Sign button of an open letter, the
// "Add a tribute" button of a campaign, a publication's downloads. At
// desktop width they stand in a side column beside the text.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { useSite, openPage, JOURNEY } = require('../lib/fixture');

const env = useSite();

const PAGES = [
  { path: '/en/events/webinar-naloxone-in-the-hands-of-peers', role: 'link', name: 'Register' },
  { path: '/en/statements/joint-statement-hepatitis-c-cure-not-a-luxury', role: 'link', name: 'Sign this letter' },
  { path: '/en/campaigns/remember-every-name', role: 'link', name: 'Add a tribute' },
  { path: '/en/publications/annual-report-2025', role: 'heading', name: 'Downloads', wait: true },
];

test('action first: on a 360 px phone the button is on the first screen', JOURNEY, async () => {
  const { context, page, url, assertNoThirdParty } = await openPage(env, { viewport: { width: 360, height: 640 } });
  try {
    for (const p of PAGES) {
      await page.goto(url(p.path));
      // The demo's files arrive by a job a moment after start.
      for (let i = 0; p.wait && i < 40 && await page.getByRole(p.role, { name: p.name }).count() === 0; i++) {
        await page.waitForTimeout(500);
        await page.reload();
      }
      const target = page.getByRole(p.role, { name: p.name, exact: true }).first();
      const box = await target.boundingBox();
      assert.ok(box, `${p.path}: no ${p.role} "${p.name}"`);
      assert.ok(box.y + box.height <= 640, `${p.path}: "${p.name}" ends at ${Math.round(box.y + box.height)} px, below the first screen (640 px)`);
      const body = await page.locator('.entry .body').boundingBox();
      assert.ok(box.y < body.y, `${p.path}: "${p.name}" is not before the text`);
    }
    // At desktop width the actions stand beside the text, not above it.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(url(PAGES[0].path));
    const side = await page.locator('.entry-actions').boundingBox();
    const main = await page.locator('.entry-main').boundingBox();
    assert.ok(side.x > main.x + main.width - 1, `the side column (x ${side.x}) is not beside the text (ends at ${main.x + main.width})`);
    assertNoThirdParty(assert);
  } finally {
    await context.close();
  }
});
