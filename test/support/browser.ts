/**
 * The browser for dashboard tests: the Chromium that `@sparticuz/chromium` ships inside its npm
 * package (so `npm ci && npm test` needs nothing from Debian), driven by playwright-core.
 * executablePath() unpacks the packaged binary (brotli) into the temp folder on first use.
 */
import packagedChromium from '@sparticuz/chromium';
import { type Browser, chromium, type Page } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await packagedChromium.executablePath(),
    args: packagedChromium.args,
  });
}

/** A wide page whose console errors and uncaught exceptions are collected in `errors`. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const errors: string[] = [];
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
}
