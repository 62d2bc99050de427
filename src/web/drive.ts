// Drives the built page in headless Chromium (Debian's, through playwright-core): its tests
// (test/web/page.test.ts) and `pomdp bench web` open it, watch its console and requests, and read its
// figures from the DOM. The report's browser test launches Chromium here too.
import type { Browser, Page } from "playwright-core";

/** Debian's chromium (apt-get install chromium). */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless, offline: no component updates, sync or background requests of the browser's own. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Launches headless Chromium. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** What the page did that it should not: console errors, uncaught errors, requests off `origin`. */
export interface PageWatch {
  errors: string[];
  foreignRequests: string[];
}

/**
 * Opens the page at `url` (the server's root), watching its console, its errors and every request
 * (a request that leaves the server's origin is recorded and aborted); resolves once the worker has
 * posted its catalog (the Start button is enabled), with the milliseconds that took.
 */
export async function openPage(
  browser: Browser,
  url: string,
): Promise<{ page: Page; watch: PageWatch; readyMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const watch: PageWatch = { errors: [], foreignRequests: [] };
  const origin = new URL(url).origin;
  page.on("console", (m) => {
    if (m.type() === "error") watch.errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => watch.errors.push(`page: ${e.message}`));
  await page.context().route("**/*", (route) => {
    const requested = route.request().url();
    if (new URL(requested).origin === origin) return route.continue();
    watch.foreignRequests.push(requested);
    return route.abort();
  });
  const started = Date.now();
  await page.goto(url, { waitUntil: "load" });
  // (Strings run in the page: this file is type-checked without the DOM's types.)
  await page.waitForFunction('!document.getElementById("start").disabled');
  return { page, watch, readyMs: Date.now() - started };
}

/** The page's figures. */
export interface PageStats {
  steps: number;
  episodes: number;
  /** Rolling mean of the last 20 returns (NaN before the first episode). */
  mean: number;
  sps: string;
  /** Seconds of training in the worker (paused time left out). */
  seconds: number;
  state: string;
  error: string;
  /** Points of the rolling-mean curve. */
  points: number;
}

/** Reads the page's figures from the DOM. */
export function readStats(page: Page): Promise<PageStats> {
  return page.evaluate(`(() => {
    const el = (id) => document.getElementById(id);
    const points = (el("rolling")?.getAttribute("points") ?? "").trim();
    return {
      steps: Number(el("steps").dataset.value),
      episodes: Number(el("episodes").textContent),
      mean: el("mean").dataset.value === undefined ? Number.NaN : Number(el("mean").dataset.value),
      sps: el("sps").textContent,
      seconds: Number(el("sps").dataset.seconds ?? 0),
      state: el("state").textContent,
      error: el("error").textContent,
      points: points === "" ? 0 : points.split(" ").length,
    };
  })()`);
}

/**
 * Starts training from the page's Train form (agent and network: web/run_request.ts's choices, default
 * ppo and mlp; backend: auto, wasm or webgl, default wasm, whose numbers are Node's).
 */
export async function startTraining(
  page: Page,
  run: { env: string; agent?: string; preset?: string; network?: string; seed: number; backend?: string },
): Promise<void> {
  await page.fill("#env", run.env);
  await page.selectOption("#agent", run.agent ?? "ppo");
  await page.selectOption("#preset", run.preset ?? "auto");
  await page.selectOption("#network", run.network ?? "mlp");
  await page.fill("#seed", String(run.seed));
  await page.selectOption("#backend-choice", run.backend ?? "wasm");
  await page.click("#start");
}
