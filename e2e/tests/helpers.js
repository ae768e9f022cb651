// Shared by the end-to-end tests: start the real app through tauri-driver, save screenshots.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Builder, By, until } from 'selenium-webdriver';

export { By, until };

/** Launches the app binary in a fresh WebDriver session. */
export async function launchApp() {
  const started = performance.now();
  const driver = await new Builder()
    .usingServer('http://127.0.0.1:4444/')
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: process.env.RIPPLE_APP } })
    .build();
  return { driver, started };
}

/** Saves a PNG of the window under target/e2e/ and returns its path. */
export async function screenshot(driver, name) {
  const path = join(process.env.RIPPLE_SCREENSHOTS, `${name}.png`);
  writeFileSync(path, Buffer.from(await driver.takeScreenshot(), 'base64'));
  return path;
}
