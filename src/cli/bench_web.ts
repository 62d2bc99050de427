// `pomdp bench web`: the browser page's figures, as one JSON line (a script, never a timed test): the
// bundle's size, the time to its first frame and to a ready worker; what "auto" chose for PPO on
// CartPole-v1 and the steps/s it measured on each backend; and PPO on CartPole-v1 trained from the page
// in headless Chromium on wasm and on WebGL until the mean return of the last 20 episodes reaches the
// target (seconds of page time, env steps, steps/s), beside the same run in Node on wasm.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { ROLLING_EPISODES } from "../train/run_progress";
import { buildWeb } from "../web/build";
import { launchChromium, openPage, readStats, startTraining } from "../web/drive";
import { serveStatic } from "../web/serve";

/** The mean return of the last ROLLING_EPISODES episodes, as the page's curve and `pomdp train` show it. */
class RollingReturn {
  private readonly window: number[] = [];

  add(episodeReturn: number): void {
    this.window.push(episodeReturn);
    if (this.window.length > ROLLING_EPISODES) this.window.shift();
  }

  /** NaN before the first episode. */
  get mean(): number {
    return this.window.length === 0
      ? Number.NaN
      : this.window.reduce((a, b) => a + b, 0) / this.window.length;
  }
}

interface RunFigures {
  reached: boolean;
  /** The step of the first update after which the rolling mean was at the target (null: never). */
  stepsToTarget: number | null;
  seconds: number;
  steps: number;
  episodes: number;
  returnMean20: number;
  sps: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** The step of the first update line after which the rolling mean return reached `target`. */
function stepsToTarget(lines: readonly Record<string, unknown>[], target: number): number | null {
  const rolling = new RollingReturn();
  for (const line of lines) {
    if (line.type === "episode") rolling.add(Number(line.return));
    else if (line.type === "update" && rolling.mean >= target) return Number(line.step);
  }
  return null;
}

/** PPO on CartPole-v1 from the page on `backend` until the target (or the timeout). */
async function pageRun(
  browser: Browser,
  url: string,
  opts: { seed: number; target: number; timeout: number },
  backend: "wasm" | "webgl",
): Promise<RunFigures & { backendShown: string; consoleErrors: number; foreignRequests: number }> {
  const { page, watch } = await openPage(browser, url);
  await startTraining(page, { env: "CartPole-v1", seed: opts.seed, backend });
  let stats = await readStats(page);
  const started = Date.now();
  while (!(stats.mean >= opts.target) && stats.error === "" && stats.state !== "done") {
    if ((Date.now() - started) / 1000 > opts.timeout) break;
    await page.waitForTimeout(100);
    stats = await readStats(page);
  }
  if (stats.error !== "") throw new Error(`the page (${backend}): ${stats.error}`);
  const lines = (await page.evaluate("window.pomdp.metrics()")) as Record<string, unknown>[];
  const figures = {
    backendShown: (await page.textContent("#backend")) ?? "",
    reached: stats.mean >= opts.target,
    stepsToTarget: stepsToTarget(lines, opts.target),
    seconds: round1(stats.seconds),
    steps: stats.steps,
    episodes: stats.episodes,
    returnMean20: round1(stats.mean),
    sps: Math.round(stats.steps / stats.seconds),
    consoleErrors: watch.errors.length,
    foreignRequests: watch.foreignRequests.length,
  };
  await page.close();
  return figures;
}

/** What "auto" chose for the run and the steps/s it measured on each backend. */
async function autoChoice(browser: Browser, url: string, seed: number): Promise<Record<string, unknown>> {
  const { page } = await openPage(browser, url);
  await startTraining(page, { env: "CartPole-v1", seed, backend: "auto" });
  await page.waitForFunction('document.getElementById("backend").dataset.value !== undefined', null, {
    timeout: 120_000,
  });
  const measured = JSON.parse((await page.getAttribute("#backend-why", "data-measured")) ?? "null");
  const choice = {
    chose: await page.getAttribute("#backend", "data-value"),
    why: await page.textContent("#backend-why"),
    measuredSps: measured,
  };
  await page.close();
  return choice;
}

/** The same run in Node on wasm (this process), until the same target. */
async function nodeRun(opts: { seed: number; target: number; timeout: number }): Promise<RunFigures> {
  const { initBackend } = await import("../nn/backend");
  const { nnLogger } = await import("../nn/log");
  await initBackend("wasm", nnLogger.child({}, { level: "warn" }), { wasmThreads: 1 });
  const { AGENT_CATALOG } = await import("../../agents/catalog");
  const { resolveRunConfig } = await import("../train/resolve");
  const { trainPpo } = await import("../../agents/ppo");
  const { TrainingInterrupted } = await import("../../agents/training_loop");
  const resolved = await resolveRunConfig({ agent: "ppo", envId: "CartPole-v1" }, AGENT_CATALOG);
  const lines: Record<string, unknown>[] = [];
  const rolling = new RollingReturn();
  let episodes = 0;
  let steps = 0;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  try {
    trainPpo(resolved.config as never, {
      envId: "CartPole-v1",
      seed: opts.seed,
      onMetric: (line) => {
        lines.push({ ...line });
        if (line.type !== "episode") return;
        episodes++;
        rolling.add(Number(line.return));
      },
      onUpdate: (p) => {
        steps = p.step;
      },
      shouldStop: () => rolling.mean >= opts.target || elapsed() > opts.timeout,
    });
  } catch (err) {
    if (!(err instanceof TrainingInterrupted)) throw err;
  }
  const seconds = elapsed();
  return {
    reached: rolling.mean >= opts.target,
    stepsToTarget: stepsToTarget(lines, opts.target),
    seconds: round1(seconds),
    steps,
    episodes,
    returnMean20: round1(rolling.mean),
    sps: Math.round(steps / seconds),
  };
}

/** `pomdp bench web`. */
export async function benchWebAction(opts: { seed: number; target: number; timeout: number }): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-bench-web-"));
  const server = await (async () => {
    const built = await buildWeb(dir);
    return { built, ...(await serveStatic(dir, 0)) };
  })();
  const browser = await launchChromium();
  try {
    const { page, readyMs } = await openPage(browser, server.url);
    const firstFrameMs = (await page.evaluate(
      `performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null`,
    )) as number | null;
    await page.close();
    const auto = await autoChoice(browser, server.url, opts.seed);
    const wasm = await pageRun(browser, server.url, opts, "wasm");
    const webgl = await pageRun(browser, server.url, opts, "webgl");
    const node = await nodeRun(opts);
    const bundleBytes = Object.entries(server.built.files)
      .filter(([f]) => f.endsWith(".js"))
      .reduce((a, [, b]) => a + b, 0);
    const wasmBytes = Object.entries(server.built.files)
      .filter(([f]) => f === "tfjs-backend-wasm-simd.wasm")
      .reduce((a, [, b]) => a + b, 0);
    console.log(
      JSON.stringify({
        browser: browser.version(),
        bundleBytes,
        wasmBytes,
        firstFrameMs: firstFrameMs === null ? null : Math.round(firstFrameMs),
        readyMs,
        env: "CartPole-v1",
        agent: "ppo",
        seed: opts.seed,
        target: opts.target,
        auto,
        wasm,
        webgl,
        node,
        // On wasm the page computes Node's run: the same episodes, so the same update reaches the target.
        wasmStepsToTargetAsNode: wasm.stepsToTarget === node.stepsToTarget,
      }),
    );
    if (!wasm.reached || !node.reached) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
