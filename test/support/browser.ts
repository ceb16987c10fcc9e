import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, which `.ci/run` installs; override with AELAB_CHROMIUM. */
export const CHROMIUM_PATH = process.env.AELAB_CHROMIUM ?? '/usr/bin/chromium';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set AELAB_CHROMIUM)`);
  // Containers run tests as root, where chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A full-page screenshot under docs/screenshots, where the README shows it. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Logs in through the UI's form; the API answers with the session cookie. */
export async function logIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('table.runs').waitFor();
}
