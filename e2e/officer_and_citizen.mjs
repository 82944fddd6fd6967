// An officer receives a dossier, moves it to a result; a citizen tracks and rates it; another
// commune's officer cannot see it. Runs against a `haicap serve --demo` at $HAICAP_URL.
import assert from 'node:assert/strict';
import { base, shots, launch, login } from './browser.mjs';

const browser = await launch();

let code;
try {
  // ---- officer at the desk, 1366x768 ----
  const desk = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(desk, 'motcua.haichau');
  assert.match(await desk.textContent('h1'), /Hồ sơ cần xử lý/);
  await desk.screenshot({ path: `${shots}/queue.png` });

  // Live: a dossier filed elsewhere (here an online one, through the API) appears in the
  // desk's queue without a reload.
  const session = await (await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'motcua.haichau', password: 'haicap2025' }),
  })).json();
  await desk.evaluate(() => { window.__notReloaded = true; });
  const created = await (await fetch(`${base}/api/v1/dossiers`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ procedure_code: '1.004873', channel: 'online', applicant: { full_name: 'Người đến sau', phone: '0905000111' } }),
  })).json();
  await desk.locator(`a[href="/ho-so/${created.code}"]`).waitFor({ timeout: 5000 });
  assert.equal(await desk.evaluate(() => window.__notReloaded), true, 'the queue updated without a reload');

  await desk.click('text=Tiếp nhận hồ sơ');
  await desk.fill('#proc-q', 'xac nhan tinh trang hon nhan');
  const choice = desk.locator('input[name=procedure_code][value="1.004873"]');
  await choice.waitFor();
  await choice.check();
  await desk.locator('#checklist fieldset').waitFor();
  await desk.fill('input[name=full_name]', 'Nguyễn Thị Thu');
  await desk.fill('input[name=phone]', '0905 246 810');
  await desk.fill('input[name=address]', '45 Bạch Đằng, P. Thạch Thang, Q. Hải Châu, TP Đà Nẵng');
  await desk.locator('#address-result b').waitFor();
  assert.match(await desk.textContent('#address-result'), /Phường Hải Châu/);
  await desk.screenshot({ path: `${shots}/intake.png` });
  await desk.click('text=Tiếp nhận và in phiếu hẹn');
  await desk.waitForURL(/\/ho-so\/.+\/phieu$/);
  assert.match(await desk.textContent('h1'), /GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ/);
  assert.equal(await desk.locator('.qr svg').count(), 1);
  code = desk.url().split('/ho-so/')[1].split('/')[0];
  // The receipt carries the tracking PIN (and its QR code opens the tracking page with it).
  const pin = (await desk.textContent('#pin')).trim();
  assert.match(pin, /^[2-9A-Z]{8}$/);
  await desk.screenshot({ path: `${shots}/receipt.png`, fullPage: true });

  // Three people take it through its life together, each with only their own buttons.
  const buttons = async (page) => (await page.locator('form.action').evaluateAll(
    (forms) => forms.map((f) => f.dataset.action))).sort();
  const act = async (page, action, fill) => {
    const form = page.locator(`form.action[data-action="${action}"]`);
    if (fill) await fill(form);
    await form.locator('button[type=submit]').click();
    await page.waitForURL(`${base}/ho-so/${code}`);
  };
  await desk.goto(`${base}/ho-so/${code}`);
  assert.deepEqual(await buttons(desk), ['correct_applicant', 'request_payment', 'request_supplement', 'withdraw'],
    'the desk receives and returns; it neither assigns nor decides');
  assert.equal(await desk.locator('#id-number').count(), 1);

  const leader = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(leader, 'chutich.haichau');
  assert.match(await leader.textContent('#queue-kind'), /chờ lãnh đạo/);
  assert.equal(await leader.locator(`a[href="/ho-so/${code}"]`).count(), 1, 'it awaits the leader');
  await leader.goto(`${base}/ho-so/${code}`);
  assert.deepEqual(await buttons(leader), ['approve', 'assign', 'deny', 'extend', 'stop']);
  // The assignee is chosen from the unit's staff, the suggested one first.
  const staff = await leader.locator('form[data-action=assign] select[name=to] option').evaluateAll((o) => o.map((x) => x.value));
  assert.ok(staff.includes('chuyenvien.haichau') && staff.every((u) => !u.startsWith('motcua')), staff.join());
  await act(leader, 'assign', (f) => f.locator('select[name=to]').selectOption('chuyenvien.haichau'));
  assert.match(await leader.textContent('#assignee'), /chuyenvien\.haichau/);

  const specialist = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(specialist, 'chuyenvien.haichau');
  assert.equal(await specialist.locator(`a[href="/ho-so/${code}"]`).count(), 1, 'assigned to them');
  await specialist.goto(`${base}/ho-so/${code}`);
  assert.deepEqual(await buttons(specialist), ['assign', 'draft_extension', 'propose', 'request_supplement', 'transfer']);
  await act(specialist, 'propose', async (f) => {
    await f.locator('select[name=verdict]').selectOption('approve');
    await f.locator('textarea[name=note]').fill('Đủ điều kiện cấp giấy xác nhận');
  });
  await specialist.screenshot({ path: `${shots}/dossier-specialist.png`, fullPage: true });

  await leader.goto(`${base}/ho-so/${code}`);
  assert.match(await leader.textContent('#proposal'), /Giải quyết — Đủ điều kiện/);
  await leader.screenshot({ path: `${shots}/dossier-leader.png`, fullPage: true });
  await act(leader, 'approve');
  // The leader signs the result with the PIN of their token (SoftHSM2 in this test).
  assert.deepEqual(await buttons(leader), ['sign_result'], 'once decided, the leader only signs');
  await leader.screenshot({ path: `${shots}/dossier-sign.png`, fullPage: true });
  await act(leader, 'sign_result', (f) => f.locator('input[name=pin]').fill('123456'));
  assert.equal(await leader.locator('#signed-result').count(), 1, 'the signed result is offered');
  assert.match(await leader.textContent('.timeline'), /ký số kết quả \(người ký: Lê Văn Hùng\)/);
  assert.deepEqual(await buttons(leader), [], 'nothing is left for the leader once signed');

  // A certificate is issued in the ward's name: the desk seals it with the ward's own key.
  await desk.goto(`${base}/ho-so/${code}`);
  assert.deepEqual(await buttons(desk), ['correct_applicant', 'return_result', 'seal_result']);
  await act(desk, 'seal_result', (f) => f.locator('input[name=pin]').fill('123456'));
  assert.match(await desk.textContent('.timeline'), /đóng dấu số kết quả \(chữ ký số của cơ quan: UBND Phường Hải Châu\)/);
  assert.deepEqual(await buttons(desk), ['correct_applicant', 'return_result']);
  await act(desk, 'return_result');
  assert.match(await desk.textContent('.status'), /Đã trả kết quả/);
  await desk.screenshot({ path: `${shots}/dossier.png`, fullPage: true });
  assert.equal(await desk.locator('form.action').count(), 0, 'no action left after the result is returned');

  // The province leader sees the dossier, its ID number and phone masked, and no buttons.
  const province = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(province, 'lanhdao.danang');
  await province.goto(`${base}/ho-so/${code}`);
  assert.match(await province.textContent('#phone'), /\*{7}810/);
  assert.equal(await province.locator('form.action').count(), 0);

  // ---- the citizen, on a phone ----
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(`${base}/tra-cuu`);
  await phone.fill('input[name=code]', code);
  await phone.fill('input[name=pin]', pin);
  await phone.click('form button');
  assert.match(await phone.textContent('section h2'), /Đã trả kết quả/);
  const text = await phone.textContent('main');
  assert.ok(!text.includes('Nguyễn Thị Thu') && !text.includes('Bạch Đằng'), 'no personal data on the tracking page');
  await phone.screenshot({ path: `${shots}/track-phone.png`, fullPage: true });
  // The citizen downloads the signed result with the PIN, and anyone can check it.
  const [download] = await Promise.all([
    phone.waitForEvent('download'),
    phone.click('text=Tải kết quả đã ký số'),
  ]);
  const signedFile = `${shots}/ket-qua-ky-so.pdf`;
  await download.saveAs(signedFile);
  await phone.goto(`${base}/xac-minh`);
  await phone.setInputFiles('input[name=file]', signedFile);
  await phone.click('form button');
  assert.match(await phone.textContent('#verdict h2'), new RegExp(`Hợp lệ: tệp đúng là kết quả đã ký số của hồ sơ ${code}`));
  assert.match(await phone.textContent('#verdict'), /Chữ ký của Lê Văn Hùng \(UBND Phường Hải Châu\)/);
  assert.match(await phone.textContent('#verdict'), /Chữ ký của UBND Phường Hải Châu/);
  assert.match(await phone.textContent('#verdict'), /người ký Lê Văn Hùng, đóng dấu số của UBND Phường Hải Châu/);
  await phone.screenshot({ path: `${shots}/verify-phone.png`, fullPage: true });
  await phone.goto(`${base}/tra-cuu?code=${code}&pin=${pin}`);
  await phone.click('text=Gửi đánh giá');
  assert.equal(await phone.locator('text=Gửi đánh giá').count(), 0, 'rated once');
  // The phone's last digits (which others may know) or a wrong PIN look like no dossier at all.
  await phone.goto(`${base}/tra-cuu?code=${code}&pin=6810`);
  assert.match(await phone.textContent('.error'), /không tìm thấy/);

  // ---- a citizen submits online with a document ----
  await phone.goto(`${base}/thu-tuc/1.004873`);
  await phone.click('text=Nộp hồ sơ trực tuyến');
  await phone.fill('input[name=full_name]', 'Lê Văn Bình');
  await phone.fill('input[name=phone]', '0912345678');
  await phone.selectOption('select[name=province]', '48');
  await phone.locator('#commune option[value="20242"]').waitFor({ state: 'attached' });
  await phone.selectOption('#commune', '20242');
  await phone.setInputFiles('input[type=file]', { name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% to khai\n') });
  assert.match(await phone.textContent('fieldset.consent'), /91\/2025\/QH15/);
  await phone.check('input[name=consent]');
  await phone.click('button[type=submit]');
  assert.match(await phone.textContent('h1'), /Đã nộp hồ sơ/);
  const online = (await phone.textContent('main')).match(/Mã hồ sơ của ông\/bà: (\S+)\./)[1];
  assert.match(await phone.textContent('main'), /Mã tra cứu: [2-9A-Z]{8}/, 'the PIN is shown on submission');
  await phone.screenshot({ path: `${shots}/submitted-phone.png`, fullPage: true });
  // The commune sees it, with its document, and receives it.
  await desk.goto(`${base}/ho-so/${online}`);
  assert.equal(await desk.locator('a', { hasText: 'to-khai.pdf' }).count(), 1);
  await desk.locator('form.action[data-action=receive] button').click();
  await desk.waitForURL(`${base}/ho-so/${online}`);
  assert.match(await desk.textContent('.status'), /Được tiếp nhận/);

  // ---- another commune's officer ----
  const other = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(other, 'motcua.hoacuong');
  assert.equal(await other.locator(`a[href="/ho-so/${code}"]`).count(), 0);
  const res = await other.goto(`${base}/ho-so/${code}`);
  assert.equal(res.status(), 404);
  console.log(`e2e ok: dossier ${code} received by the desk, assigned by the leader, proposed by the specialist, approved and signed (PAdES, SoftHSM2) by the leader, sealed with the ward's key by the desk, returned by the desk, tracked, the signed result downloaded and verified, rated; the queue updated live; an online submission with a document received; all hidden from another commune`);
} finally {
  await browser.close();
}
