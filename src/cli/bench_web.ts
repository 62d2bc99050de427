// `pomdp bench web`: the browser page's figures, as one JSON line (a script, never a timed test): the
// bundle's size, the time to its first frame and to a ready worker, and PPO on CartPole-v1 started from
// the page in headless Chromium until the mean return of the last 20 episodes reaches the target:
// seconds of page (training) time, env steps, steps/s.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildWeb } from "../web/build";
import { launchChromium, openPage, readStats, startTraining } from "../web/drive";
import { serveStatic } from "../web/serve";

/** `pomdp bench web`. */
export async function benchWebAction(opts: { seed: number; target: number; timeout: number }): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-bench-web-"));
  const server = await (async () => {
    const built = await buildWeb(dir);
    return { built, ...(await serveStatic(dir, 0)) };
  })();
  const browser = await launchChromium();
  try {
    const { page, watch, readyMs } = await openPage(browser, server.url);
    const firstFrameMs = (await page.evaluate(
      `performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null`,
    )) as number | null;
    await startTraining(page, { env: "CartPole-v1", seed: opts.seed });
    let stats = await readStats(page);
    const started = Date.now();
    while (!(stats.mean >= opts.target) && stats.error === "" && stats.state !== "done") {
      if ((Date.now() - started) / 1000 > opts.timeout) break;
      await page.waitForTimeout(100);
      stats = await readStats(page);
    }
    if (stats.error !== "") throw new Error(`the page: ${stats.error}`);
    const reached = stats.mean >= opts.target;
    const bundleBytes = Object.entries(server.built.files)
      .filter(([f]) => f.endsWith(".js"))
      .reduce((a, [, b]) => a + b, 0);
    const wasmBytes = Object.entries(server.built.files)
      .filter(([f]) => f === "tfjs-backend-wasm-simd.wasm")
      .reduce((a, [, b]) => a + b, 0);
    console.log(
      JSON.stringify({
        browser: browser.version(),
        backend: await page.textContent("#backend"),
        bundleBytes,
        wasmBytes,
        firstFrameMs: firstFrameMs === null ? null : Math.round(firstFrameMs),
        readyMs,
        env: "CartPole-v1",
        agent: "ppo",
        seed: opts.seed,
        target: opts.target,
        reached,
        seconds: Math.round(stats.seconds * 10) / 10,
        steps: stats.steps,
        episodes: stats.episodes,
        returnMean20: Math.round(stats.mean * 10) / 10,
        sps: Math.round(stats.steps / stats.seconds),
        consoleErrors: watch.errors.length,
        foreignRequests: watch.foreignRequests.length,
      }),
    );
    if (!reached) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
