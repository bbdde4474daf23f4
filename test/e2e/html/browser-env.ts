/**
 * When the browser test runs: with Debian's chromium at /usr/bin/chromium
 * (or CHROMIUM_PATH).  Nothing is downloaded.  CI installs chromium and sets
 * CHROMIUM_REQUIRED=1: there a missing browser fails instead of skipping.
 */
import { accessSync, constants } from 'node:fs';

export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function chromiumReason(): string | null {
  try {
    accessSync(chromiumPath, constants.X_OK);
    return null;
  } catch {
    return `no chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  }
}

export const chromiumSkipReason = ((): string | null => {
  const reason = chromiumReason();
  if (reason !== null && process.env['CHROMIUM_REQUIRED'] === '1') throw new Error(`CHROMIUM_REQUIRED=1 but the browser test cannot run: ${reason}`);
  return reason;
})();
