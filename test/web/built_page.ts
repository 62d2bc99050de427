// The built page for the browser tests, built once and shared by every test file of test/web/ (and by
// every run until a source changes): web/dist-like folder in the system's temp folder, keyed by the
// sources' paths, sizes and modification times. Each file serves it and opens its own browser.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../src/web/build";

/** Folders whose files go into the bundles. */
const SOURCE_FOLDERS = ["web", "src", "agents", "envs"];

/** A digest of the sources' paths, sizes and modification times (web/dist left out). */
function sourcesStamp(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "dist" && entry.name !== "node_modules") walk(full);
      } else {
        const stat = fs.statSync(full);
        hash.update(`${path.relative(REPO_ROOT, full)} ${stat.size} ${stat.mtimeMs}\n`);
      }
    }
  };
  for (const folder of SOURCE_FOLDERS) walk(path.join(REPO_ROOT, folder));
  return hash.digest("hex").slice(0, 16);
}

/** Removes builds of older sources (left in the temp folder for an hour, in case a test still serves one). */
function removeOldBuilds(): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith("pomdp-web-test-")) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      if (fs.statSync(dir).mtimeMs < hourAgo) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another test file removed it first.
    }
  }
}

/** The folder of the built page, building it when the sources changed since the last build. */
export async function builtPage(): Promise<string> {
  const stamp = sourcesStamp();
  const dir = path.join(os.tmpdir(), `pomdp-web-test-${stamp}`);
  if (fs.existsSync(path.join(dir, "STAMP"))) return dir;
  removeOldBuilds();
  const { buildWeb } = await import("../../src/web/build");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-web-building-"));
  await buildWeb(tmp);
  fs.writeFileSync(path.join(tmp, "STAMP"), stamp);
  try {
    fs.renameSync(tmp, dir);
  } catch {
    // Another test file built it at the same time: theirs is the same.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** The built page served on localhost and a headless Chromium to open it with; `close` ends both. */
export interface PageHarness {
  dir: string;
  url: string;
  browser: import("playwright-core").Browser;
  close(): Promise<void>;
}

/** Serves {@link builtPage} on a free port and launches Chromium. */
export async function pageHarness(): Promise<PageHarness> {
  const dir = await builtPage();
  const { serveStatic } = await import("../../src/web/serve");
  const { launchChromium } = await import("../../src/web/drive");
  const server = await serveStatic(dir, 0);
  const browser = await launchChromium();
  return {
    dir,
    url: server.url,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
