// Drives Debian's Chromium with playwright-core (never Playwright's downloaded browsers):
//   node browser-run.mjs PAGE_URL [CHROMIUM]   prints the page's window.ternResults as JSON.
// A fresh profile directory per run; the page's console errors go to standard error.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [pageUrl, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
const userDataDir = await mkdtemp(join(tmpdir(), "tern-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  chromiumSandbox: false,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") process.stderr.write(`console: ${m.text()}\n`); });
  page.on("pageerror", (e) => process.stderr.write(`pageerror: ${e}\n`));
  await page.goto(pageUrl);
  const handle = await page.waitForFunction(() => window.ternResults, null, { timeout: 60_000 });
  process.stdout.write(JSON.stringify(await handle.jsonValue()) + "\n");
} finally {
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
