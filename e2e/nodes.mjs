// The province's view of its communes' nodes in the browser: Đà Nẵng's administrator finds
// the page in the menu and sees Hải Châu's node (given by `haicap node add` in run.sh); a
// commune's officer is refused. Runs against `haicap serve --demo`.
import assert from 'node:assert/strict';
import { base, shots, launch, login } from './browser.mjs';

const browser = await launch();
try {
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await login(admin, 'admin.danang');
  await admin.click('a:text("Máy trạm của xã")');
  await admin.waitForURL(/\/quan-tri\/may-tram$/);
  const row = admin.locator('tr', { hasText: 'Phường Hải Châu (20242)' });
  assert.equal(await row.count(), 1, 'the node of Hải Châu is listed');
  assert.match(await row.textContent(), /chưa liên lạc/);
  assert.match(await row.textContent(), /hoạt động/);
  await admin.screenshot({ path: `${shots}/nodes.png`, fullPage: true });

  const officer = await (await browser.newContext()).newPage();
  await login(officer, 'motcua.haichau');
  assert.equal(await officer.locator('a:text("Máy trạm của xã")').count(), 0, 'not in an officer\'s menu');
  const res = await officer.goto(`${base}/quan-tri/may-tram`);
  assert.equal(res.status(), 403, 'an officer is refused');
  console.log('nodes: ok');
} finally {
  await browser.close();
}
