// The leaders' dashboard in the browser: Đà Nẵng's leader has the province's page open; a
// dossier received at Hải Châu's desk shows in the figures without a reload; the leader
// drills down from the province to the commune, to a procedure, to the dossier itself, and
// downloads the period report for the meeting. Runs against `haicap serve --demo`.
import assert from 'node:assert/strict';
import { base, shots, launch, login } from './browser.mjs';

const received = async (page) => Number((await page.locator('#received-total').textContent()).replace(/\D/g, ''));

// Hải Châu's desk receives a dossier over the API, as a desk application would; its code.
const receive = async (token, full_name, address) => {
  const res = await fetch(`${base}/api/v1/dossiers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ procedure_code: '1.004873', channel: 'direct', applicant: { full_name, phone: '0905111222', address } }),
  });
  const text = await res.text();
  assert.ok(res.ok, text);
  return JSON.parse(text).code;
};

const browser = await launch();
try {
  const leader = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  await login(leader, 'lanhdao.danang');
  await leader.goto(`${base}/bang-dieu-hanh`);
  await leader.locator('#received-total').waitFor();
  await leader.evaluate(() => { window.__notReloaded = true; });
  const before = await received(leader);
  assert.match(await leader.locator('#ranking').textContent(), /Phường Hải Châu/, 'the communes are ranked');
  assert.equal(await leader.locator('.map svg').count(), 1, 'the map is drawn by the server');

  // Hải Châu's desk receives a dossier (over the API, as a desk application would).
  const login_ = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'motcua.haichau', password: 'haicap2025' }),
  });
  const { token } = await login_.json();
  const t0 = Date.now();
  const code = await receive(token, 'Lê Thị Bảng', '5 Bạch Đằng, Hải Châu, Đà Nẵng');

  // The province's figure counts it, live.
  await leader.waitForFunction(
    (n) => Number(document.querySelector('#received-total').textContent.replace(/\D/g, '')) === n,
    before + 1,
    { timeout: 5000 },
  );
  const lag = Date.now() - t0;
  assert.equal(await leader.evaluate(() => window.__notReloaded), true, 'updated without a reload');
  console.log(`dashboard: the new dossier counted after ${lag} ms`);
  await leader.screenshot({ path: `${shots}/dashboard-province.png`, fullPage: true });

  // Province → commune → procedure → the dossier.
  await leader.click('#ranking a:text("Phường Hải Châu")');
  await leader.waitForURL(/unit=20242/);
  await leader.screenshot({ path: `${shots}/dashboard-commune.png`, fullPage: true });
  await leader.click('#procedures a[href*="procedure=1.004873"]');
  await leader.waitForURL(/procedure=1\.004873/);
  await leader.click(`a:text("${code}")`);
  await leader.waitForURL(new RegExp(`/ho-so/${code}`));
  assert.match(await leader.locator('main').textContent(), /Lê Thị Bảng/);

  // The report for the meeting: an Excel workbook of the province.
  await leader.goto(`${base}/bang-dieu-hanh`);
  const href = await leader.locator('a:text("Tải báo cáo kỳ (Excel)")').getAttribute('href');
  const xlsx = await leader.request.get(`${base}${href}`);
  assert.equal(xlsx.status(), 200);
  assert.match(xlsx.headers()['content-type'], /spreadsheetml/);
  const body = await xlsx.body();
  assert.equal(body.subarray(0, 2).toString(), 'PK', 'a zip, as every .xlsx is');
  // The nation: the Government's office follows every province live, down to a commune.
  const nation = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  await nation.goto(`${base}/dang-nhap`);
  await nation.fill('input[name=username]', 'lanhdao.quocgia');
  await nation.fill('input[name=password]', 'haicap2025');
  await nation.click('button[type=submit]');
  await nation.waitForURL(/\/bang-dieu-hanh$/);
  assert.match(await nation.locator('h1').textContent(), /Toàn quốc/);
  assert.equal(await nation.locator('#ranking tbody tr').count(), 34, 'every province ranked');
  assert.match(await nation.locator('#communes-active').textContent(), /\/ 3321/, 'the communes that worked, of 3,321');
  assert.equal(await nation.locator('header a:text("Tiếp nhận hồ sơ")').count(), 0, 'it receives nothing');
  const nationBefore = await received(nation);
  await receive(token, 'Trần Văn Quốc', '7 Bạch Đằng, Hải Châu, Đà Nẵng');
  await nation.waitForFunction(
    (n) => Number(document.querySelector('#received-total').textContent.replace(/\D/g, '')) === n,
    nationBefore + 1,
    { timeout: 5000 },
  );
  await nation.screenshot({ path: `${shots}/dashboard-nation.png`, fullPage: true });
  await nation.click('#ranking a:text("Thành phố Đà Nẵng")');
  await nation.waitForURL(/unit=48/);
  assert.match(await nation.locator('#ranking').textContent(), /Phường Hải Châu/, 'down to the communes');
  assert.match(await nation.locator('main').textContent(), /↑ Toàn quốc/);
  console.log('dashboard: ok');
} finally {
  await browser.close();
}
