// Coordination between the tiers in the browser: a commune leader raises a problem, the
// Department of Justice sees it arrive without reloading, answers it, the commune sees the
// answer arrive and closes it; the province leader sees the summary, assigns a task, the
// commune reports it done with a document, and the leader reads the workload of the commune.
// Runs against `haicap serve --demo`.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { base, shots, launch, login } from './browser.mjs';

const browser = await launch();
try {
  const dept = await (await browser.newContext()).newPage();
  await login(dept, 'sotuphap.danang');
  await dept.goto(`${base}/kien-nghi`);
  await dept.evaluate(() => { window.__notReloaded = true; });
  const before = await dept.locator('#proposals tbody tr').count();

  const commune = await (await browser.newContext()).newPage();
  await login(commune, 'chutich.haichau');
  await commune.goto(`${base}/kien-nghi`);
  await commune.click('text=Gửi kiến nghị mới lên tỉnh');
  await commune.fill('input[name=title]', 'Xác định nơi đăng ký khai sinh khi cha mẹ ở hai phường');
  await commune.selectOption('select[name=category]', 'legal');
  await commune.fill('textarea[name=body]', 'Sau sáp nhập, nhiều cặp vợ chồng đăng ký thường trú ở hai phường khác nhau; đề nghị hướng dẫn thống nhất.');
  await commune.fill('input[name=procedure_code]', '1.001193');
  await commune.click('#new-proposal button');
  await commune.waitForURL(/\/kien-nghi\/\d+$/);
  const id = commune.url().split('/').pop();
  assert.match(await commune.locator('#handler').textContent(), /Sở Tư pháp/, 'a civil-status matter goes to Justice');
  await commune.evaluate(() => { window.__notReloaded = true; });

  // The department's list shows it without a reload.
  await dept.locator(`#proposals a[href="/kien-nghi/${id}"]`).first().waitFor({ timeout: 5000 });
  assert.equal(await dept.evaluate(() => window.__notReloaded), true, 'arrived live');
  assert.equal(await dept.locator('#proposals tbody tr').count(), before + 1);
  await dept.screenshot({ path: `${shots}/proposals-department.png`, fullPage: true });

  await dept.click(`#proposals a[href="/kien-nghi/${id}"] >> nth=0`);
  await dept.selectOption('#respond select[name=action]', 'answer');
  await dept.fill('#respond textarea[name=body]', 'Đăng ký tại UBND phường nơi cư trú của cha hoặc mẹ, theo lựa chọn của cha mẹ.');
  await dept.click('#respond button');
  await dept.waitForURL(`${base}/kien-nghi/${id}`);
  assert.match(await dept.locator('#status').textContent(), /Đã trả lời/);

  // The commune's open page shows the answer without a reload, and the commune closes it.
  await commune.locator('#status', { hasText: 'Đã trả lời' }).waitFor({ timeout: 5000 });
  assert.equal(await commune.evaluate(() => window.__notReloaded), true, 'the answer arrived live');
  assert.match(await commune.locator('#history').textContent(), /nơi cư trú của cha hoặc mẹ/);
  await commune.screenshot({ path: `${shots}/proposal-answered.png`, fullPage: true });
  await commune.selectOption('#respond select[name=action]', 'close');
  await commune.click('#respond button');
  await commune.locator('#status', { hasText: 'Đã kết thúc' }).waitFor();

  // The province leader: summary by category, a task to Hải Châu, its report, the workload.
  const leader = await (await browser.newContext()).newPage();
  await login(leader, 'lanhdao.danang');
  await leader.goto(`${base}/kien-nghi`);
  assert.match(await leader.locator('#summary').textContent(), /Pháp lý, thủ tục hành chính/);
  await leader.screenshot({ path: `${shots}/proposals-leader.png`, fullPage: true });
  await leader.goto(`${base}/chi-dao`);
  await leader.fill('#issue input[name=title]', 'Báo cáo số hồ sơ đất đai tồn đọng');
  await leader.fill('#issue textarea[name=body]', 'Báo cáo số hồ sơ đất đai tiếp nhận từ quận cũ còn tồn đọng.');
  await leader.fill('#issue input[name=due_date]', '31/12/2099');
  await leader.check('#issue input[name=commune][value="20242"]');
  await leader.click('#issue button');
  await leader.waitForURL(/\/chi-dao\/\d+$/);
  const task = leader.url().split('/').pop();
  assert.match(await leader.locator('#tasks').textContent(), /Chưa báo cáo/);

  await commune.goto(`${base}/chi-dao/${task}`);
  await commune.fill('#report textarea[name=body]', 'Còn 37 hồ sơ tồn đọng, đã phân công xử lý.');
  await commune.selectOption('#report select[name=status]', 'done');
  const pdf = `${shots}/bao-cao.pdf`;
  writeFileSync(pdf, '%PDF-1.4\n% báo cáo\n');
  await commune.setInputFiles('#report input[type=file]', pdf);
  await commune.click('#report button');
  await commune.locator('#reports a', { hasText: 'bao-cao.pdf' }).waitFor();

  await leader.locator('#tasks', { hasText: 'Hoàn thành' }).waitFor({ timeout: 5000 });
  await leader.screenshot({ path: `${shots}/directive.png`, fullPage: true });
  await leader.goto(`${base}/can-bo?don-vi=20242`);
  assert.match(await leader.locator('#officials').textContent(), /chuyenvien\.haichau/);
  await leader.screenshot({ path: `${shots}/workload.png`, fullPage: true });
  await leader.goto(`${base}/can-bo/so-sanh`);
  assert.match(await leader.locator('#comparison').textContent(), /Phường Hải Châu/);
  console.log('coordination: ok');
} finally {
  await browser.close();
}
