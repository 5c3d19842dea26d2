/**
 * The browser of the site's end-to-end tests: Debian's Chromium driven by playwright-core, and where
 * screenshots go.
 *
 * @module
 */

import { loadPlaywright } from "../deps.ts";

/** Chromium's path: `HYPERINVERTER_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH: string = Deno.env.get("HYPERINVERTER_CHROMIUM") ?? "/usr/bin/chromium";

/** Screenshots of the browser tests (a CI artifact; `.ci/out/` is git-ignored). */
export const SCREENSHOT_DIRECTORY: string = new URL("../.ci/out/screenshots", import.meta.url).pathname;

/**
 * Starts headless Chromium.
 *
 * @returns the browser (close it)
 * @throws {Error} naming the path and the install command when Chromium is missing
 */
export async function launchChromium() {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set HYPERINVERTER_CHROMIUM`,
    );
  }
  const { chromium } = await loadPlaywright();
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}
