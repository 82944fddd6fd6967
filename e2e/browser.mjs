// What every browser test shares: the server under test, where screenshots go, and the Debian
// chromium (never a downloaded browser).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const base = process.env.HAICAP_URL ?? 'http://127.0.0.1:18080';
export const shots = process.env.SHOTS ?? '/tmp/haicap-e2e';
mkdirSync(shots, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking'],
  });
}

export async function login(page, user) {
  await page.goto(`${base}/dang-nhap`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'haicap2025');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
}
