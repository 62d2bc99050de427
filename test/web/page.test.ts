// The browser page (web/), built by src/web/build.ts and served from localhost by src/web/serve.ts, in
// headless Chromium (Debian's, through playwright-core): it loads with no console error and no request
// off localhost, trains the project's PPO on CartPole-v1 in its worker with the curve growing, pauses,
// computes the same first update lines as PPO in Node on the wasm backend, chooses between wasm and
// WebGL by timing the run's net and says why, trains on WebGL when asked, and names an unknown env.
import * as fs from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerBuiltinEnvs } from "../../envs";
import { spec } from "../../src/core/registry";
import { CHROMIUM, openPage, readStats, startTraining } from "../../src/web/drive";
import { type PageHarness, pageHarness } from "./built_page";

// In CI the browser test must run (.ci/run installs chromium); elsewhere it is skipped without one.
const skip = !fs.existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`page browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

type Line = Record<string, unknown>;

/** An update line without the machine's figures (speed, memory), which differ between runs. */
function withoutMachineFigures(line: Line): Line {
  const { sps: _sps, rssMb: _rss, ...rest } = line;
  return rest;
}

describe.skipIf(skip)(
  `the browser page in headless Chromium${skip ? ` (skipped: no ${CHROMIUM})` : ""}`,
  () => {
    let harness: PageHarness;
    let browser: Browser;
    beforeAll(async () => {
      harness = await pageHarness();
      browser = harness.browser;
      expect(
        fs
          .readdirSync(harness.dir)
          .filter((f) => f !== "STAMP")
          .sort(),
      ).toEqual([
        "index.html",
        "page.js",
        "tfjs-backend-wasm-simd.wasm",
        "tfjs-backend-wasm-threaded-simd.wasm",
        "tfjs-backend-wasm.wasm",
        "worker.js",
      ]);
    }, 120_000);
    afterAll(async () => {
      await harness?.close();
    });

    it("trains PPO on CartPole-v1 in its worker: steps rise, the curve grows, pause stops the counter", async () => {
      const { page, watch } = await openPage(browser, harness.url);
      const presets = await page.$$eval("#preset option", (os) => os.map((o) => o.getAttribute("value")));
      expect(presets.slice(0, 3)).toEqual(["auto", "none", "ppo-cartpole"]);
      await startTraining(page, { env: "CartPole-v1", seed: 1 });
      // 4 envs × 128 steps an update: the counter moves by 512.
      await page.waitForFunction('Number(document.getElementById("steps").dataset.value) >= 2048', null, {
        timeout: 30_000,
      });
      const early = await readStats(page);
      expect(early.error).toBe("");
      expect(early.state).toBe("training");
      expect(early.steps % 512).toBe(0);
      expect(early.episodes).toBeGreaterThan(0);
      expect(await page.textContent("#backend")).toMatch(/^wasm, \d+ threads?$/);
      expect(await page.textContent("#config")).toContain('"learningRate": 0.00025');
      // (Strings run in the page: the tests are type-checked without the DOM's types.)
      await page.waitForFunction(
        `(document.getElementById("rolling")?.getAttribute("points") ?? "").trim().split(" ").length > ${early.points}`,
        null,
        { timeout: 20_000 },
      );
      const later = await readStats(page);
      expect(later.steps).toBeGreaterThan(early.steps);
      expect(later.points).toBeGreaterThan(early.points);

      await page.click("#pause");
      await page.waitForFunction(
        'document.getElementById("state").textContent.startsWith("paused at step")',
        null,
        {
          timeout: 20_000,
        },
      );
      const paused = await readStats(page);
      expect(paused.state).toBe(`paused at step ${paused.steps}`);
      await page.waitForTimeout(1500);
      expect((await readStats(page)).steps).toBe(paused.steps);
      await page.click("#pause"); // now "Resume"
      await page.waitForFunction(
        `Number(document.getElementById("steps").dataset.value) > ${paused.steps}`,
        null,
        { timeout: 20_000 },
      );

      // The page's first update lines are those of the same run in Node on the wasm backend.
      const lines = (await page.evaluate("window.pomdp.metrics()")) as Line[];
      const browserUpdates = lines.filter((l) => l.type === "update").slice(0, 2);
      const browserEpisodes = lines.filter((l) => l.type === "episode" && (l.step as number) <= 1024);
      expect(browserUpdates).toHaveLength(2);
      const node = await nodeRun(2);
      expect(browserUpdates.map(withoutMachineFigures)).toEqual(node.updates.map(withoutMachineFigures));
      expect(browserEpisodes).toEqual(node.episodes);

      expect(watch.errors).toEqual([]);
      expect(watch.foreignRequests).toEqual([]);
      await page.close();
    }, 90_000);

    it("trains A2C and DQN from the page with Node's first update lines, each agent's presets offered", async () => {
      const { page, watch } = await openPage(browser, harness.url);
      const presetsOf = () =>
        page.$$eval("#preset option", (os) => os.map((o) => o.getAttribute("value")).slice(2));
      await page.selectOption("#agent", "a2c");
      expect(await presetsOf()).toEqual(["a2c-cartpole"]);
      await page.selectOption("#agent", "dqn");
      const dqnPresets = await presetsOf();
      expect(dqnPresets).toContain("dqn-cartpole");
      expect(dqnPresets).toContain("drqn-cartpole-novel");
      await page.close();
      for (const agent of ["a2c", "dqn"]) {
        const { page } = await openPage(browser, harness.url);
        await startTraining(page, { env: "CartPole-v1", agent, seed: 1 });
        await page.waitForFunction(
          '(window.pomdp.metrics().filter((l) => l.type === "update").length >= 2) || document.getElementById("error").textContent !== ""',
          null,
          { timeout: 60_000 },
        );
        expect((await readStats(page)).error).toBe("");
        expect(await page.textContent("#config")).toMatch(new RegExp(`^preset: ${agent}-cartpole\\b`));
        const lines = (await page.evaluate("window.pomdp.metrics()")) as Line[];
        const node = await nodeRun(2, agent);
        const browserUpdates = lines.filter((l) => l.type === "update").slice(0, 2);
        expect(browserUpdates.map(withoutMachineFigures)).toEqual(node.updates.map(withoutMachineFigures));
        await page.close();
      }
      expect(watch.errors).toEqual([]);
    }, 120_000);

    it("auto times this run's net on wasm and on WebGL, says which it took and why, and keeps Node's numbers on wasm", async () => {
      const { page, watch } = await openPage(browser, harness.url);
      await startTraining(page, { env: "CartPole-v1", seed: 1, backend: "auto" });
      await page.waitForFunction('Number(document.getElementById("steps").dataset.value) >= 1024', null, {
        timeout: 60_000,
      });
      expect((await readStats(page)).error).toBe("");
      // Headless Chromium here has WebGL 2 in workers through SwiftShader, so both are timed.
      const why = (await page.textContent("#backend-why")) ?? "";
      const measured = JSON.parse((await page.getAttribute("#backend-why", "data-measured")) ?? "null") as {
        wasm: number;
        webgl: number;
      } | null;
      expect(measured).not.toBeNull();
      const { wasm, webgl } = measured as { wasm: number; webgl: number };
      expect(wasm).toBeGreaterThan(0);
      expect(webgl).toBeGreaterThan(0);
      const took = wasm >= webgl ? "wasm" : "webgl";
      expect(await page.getAttribute("#backend", "data-value")).toBe(took);
      const figures = `this net trained at ${Math.round(wasm).toLocaleString("en")} steps/s on wasm and ${Math.round(webgl).toLocaleString("en")} on WebGL`;
      expect(why.startsWith(`${took === "wasm" ? "wasm" : "WebGL"}: ${figures} (`)).toBe(true);
      if (took === "wasm") {
        // The timing runs are throwaway runs: the run itself is Node's, line for line.
        const lines = (await page.evaluate("window.pomdp.metrics()")) as Line[];
        const node = await nodeRun(2);
        const browserUpdates = lines.filter((l) => l.type === "update").slice(0, 2);
        expect(browserUpdates.map(withoutMachineFigures)).toEqual(node.updates.map(withoutMachineFigures));
      }
      expect(watch.errors).toEqual([]);
      expect(watch.foreignRequests).toEqual([]);
      await page.close();
    }, 120_000);

    it("trains on WebGL when asked for, and says so", async () => {
      const { page, watch } = await openPage(browser, harness.url);
      await startTraining(page, { env: "CartPole-v1", seed: 1, backend: "webgl" });
      await page.waitForFunction('Number(document.getElementById("steps").dataset.value) >= 1024', null, {
        timeout: 90_000,
      });
      const stats = await readStats(page);
      expect(stats.error).toBe("");
      expect(stats.episodes).toBeGreaterThan(0);
      expect(await page.textContent("#backend")).toBe("WebGL");
      expect(await page.textContent("#backend-why")).toMatch(
        /^WebGL, as asked \(.+\); its sums run in another order than pomdp train's, so its numbers differ from Node's in the last digits$/,
      );
      expect(watch.errors).toEqual([]);
      expect(watch.foreignRequests).toEqual([]);
      await page.close();
    }, 120_000);

    it("names an unknown env id on the page, as the command line does", async () => {
      const { page, watch } = await openPage(browser, harness.url);
      await startTraining(page, { env: "CartPole-v9", seed: 0 });
      await page.waitForFunction('document.getElementById("error").textContent !== ""', null, {
        timeout: 20_000,
      });
      registerBuiltinEnvs();
      const expected = (() => {
        try {
          spec("CartPole-v9");
        } catch (err) {
          return (err as Error).message;
        }
        throw new Error("CartPole-v9 is registered");
      })();
      expect(expected).toContain("CartPole-v9");
      expect(await page.textContent("#error")).toBe(expected);
      expect(await page.textContent("#state")).toBe("error");
      expect(watch.errors).toEqual([]);
      expect(watch.foreignRequests).toEqual([]);
      await page.close();
    }, 30_000);
  },
);

/** The first `updates` update lines (and the episodes before them) of `agent` on CartPole-v1, seed 1, in Node on wasm. */
async function nodeRun(updates: number, agent = "ppo"): Promise<{ updates: Line[]; episodes: Line[] }> {
  const { initBackend } = await import("../../src/nn/backend");
  const { nnLogger } = await import("../../src/nn/log");
  await initBackend("wasm", nnLogger.child({}, { level: "warn" }));
  const { AGENT_CATALOG } = await import("../../agents/catalog");
  const { resolveRunConfig } = await import("../../src/train/resolve");
  const { agentByName } = await import("../../agents/index");
  const { TrainingInterrupted } = await import("../../agents/training_loop");
  const resolved = await resolveRunConfig({ agent, envId: "CartPole-v1" }, AGENT_CATALOG);
  const lines: Line[] = [];
  let done = 0;
  try {
    agentByName(agent).train(resolved.config as never, {
      envId: "CartPole-v1",
      seed: 1,
      onMetric: (line) => lines.push({ ...line }),
      onUpdate: () => {
        done++;
      },
      shouldStop: () => done >= updates,
    });
  } catch (err) {
    if (!(err instanceof TrainingInterrupted)) throw err;
  }
  return {
    updates: lines.filter((l) => l.type === "update"),
    episodes: lines.filter((l) => l.type === "episode"),
  };
}
