// What every browser test shares: the server under test, where screenshots go, and the Debian
// chromium (never a downloaded browser).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const base = process.env.HAICAP_URL ?? 'http://127.0.0.1:18080';
export const shots = process.env.SHOTS ?? '/tmp/haicap-e2e';
mkdirSync(shots, { recursive: true });

// Every page is watched for what the Content-Security-Policy refused (an inline script or
// style, an eval): the browser is closed with an error if anything was.
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking'],
  });
  const refused = [];
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args) => {
    const page = await newPage(...args);
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(`${page.url()}: ${m.text()}`);
    });
    return page;
  };
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    if (refused.length) throw new Error(`the page needed what the CSP forbids:\n${refused.join('\n')}`);
  };
  return browser;
}

export async function login(page, user) {
  await page.goto(`${base}/dang-nhap`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'haicap2025');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
}
