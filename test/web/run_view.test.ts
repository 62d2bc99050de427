// The page's "Open a run" view in headless Chromium: a run folder written by `pomdp train` (a small
// committed fixture), chosen with the folder input, shows its learning curve, summary and config, and
// its final agent, loaded in the page's worker, plays the episodes `pomdp eval --seed 0` plays (a PPO
// run's and a DRQN run's, whose recurrent Q-network shows its memory as a heat map); files
// dropped onto the view show their curve, and a drop without config.json says so.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, openPage } from "../../src/web/drive";
import { type PageHarness, pageHarness } from "./built_page";

const skip = !fs.existsSync(CHROMIUM) && !process.env.CI;
const RUN = path.join(__dirname, "fixtures", "cartpole-ppo-run");

describe.skipIf(skip)("the Open-a-run view in headless Chromium", () => {
  let harness: PageHarness;
  beforeAll(async () => {
    harness = await pageHarness();
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });

  it("shows a pomdp train run folder's curve, summary and config, and its agent plays pomdp eval's episodes", async () => {
    const lines = fs
      .readFileSync(path.join(RUN, "metrics.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { type: string });
    const episodes = lines.filter((l) => l.type === "episode").length;
    expect(episodes).toBeGreaterThan(20);
    const { page, watch } = await openPage(harness.browser, harness.url);
    await page.click("#tab-run");
    // The folder input (webkitdirectory) as a browser fills it: playwright sends the folder's files.
    await page.setInputFiles("#run-files", RUN);
    await page.waitForFunction('document.getElementById("run-rolling") !== null', null, { timeout: 20_000 });
    const points = await page.$eval(
      "#run-rolling",
      (el) => (el.getAttribute("points") ?? "").trim().split(" ").length,
    );
    expect(points).toBe(episodes);
    expect(await page.textContent("#run-title")).toBe(
      `cartpole-ppo-run: ppo, CartPole-v1, seed 1 — ${episodes} episodes, 8 updates`,
    );
    expect(await page.textContent("#run-summary")).toContain('"finalReturnMean20": 34.6');
    expect(await page.textContent("#run-config")).toContain('"preset": "ppo-cartpole"');
    expect(await page.textContent("#run-error")).toBe("");

    // Its final agent plays the episodes `pomdp eval --seed 0` plays, in the page's worker.
    expect(await page.isDisabled("#run-play")).toBe(false);
    await page.click("#run-play");
    await page.waitForFunction(
      '(JSON.parse(document.getElementById("run-episodes").dataset.returns ?? "[]")).length >= 2',
      null,
      { timeout: 60_000 },
    );
    const pageReturns = JSON.parse(
      (await page.getAttribute("#run-episodes", "data-returns")) ?? "[]",
    ) as number[];
    expect(pageReturns.slice(0, 2)).toEqual(await nodeEvalReturns(2));
    expect(await page.textContent("#run-agent")).toMatch(
      /^ppo on CartPole-v1 \(seed 1\), no memory, 9,155 parameters/,
    );
    expect(Number(await page.getAttribute("#run-picture", "data-frames"))).toBeGreaterThan(pageReturns[0]);
    await page.click("#run-play"); // Stop

    // A finished experiment's run keeps metrics.jsonl.gz: gunzipped in the page.
    const gzRun = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-web-run-")), "gz-run");
    fs.mkdirSync(gzRun);
    for (const file of ["config.json", "summary.json"])
      fs.copyFileSync(path.join(RUN, file), path.join(gzRun, file));
    fs.writeFileSync(
      path.join(gzRun, "metrics.jsonl.gz"),
      zlib.gzipSync(fs.readFileSync(path.join(RUN, "metrics.jsonl"))),
    );
    await page.setInputFiles("#run-files", gzRun);
    await page.waitForFunction(
      'document.getElementById("run-title").textContent.startsWith("gz-run:")',
      null,
      {
        timeout: 10_000,
      },
    );
    expect(
      await page.$eval("#run-rolling", (el) => (el.getAttribute("points") ?? "").trim().split(" ").length),
    ).toBe(episodes);
    fs.rmSync(path.dirname(gzRun), { recursive: true, force: true });

    // A folder that is not a run: said so.
    await page.setInputFiles("#run-files", path.join(RUN, "final"));
    await page.waitForFunction('document.getElementById("run-error").textContent !== ""', null, {
      timeout: 10_000,
    });
    expect(await page.textContent("#run-error")).toMatch(/^open a run: final has no config\.json at its top/);
    expect(watch.errors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  }, 120_000);

  it("plays a DRQN run's agent (a recurrent Q-network, ε-greedy as pomdp eval) with its LSTM's heat map", async () => {
    const drqn = path.join(__dirname, "fixtures", "cartpole-novel-drqn-run");
    const episodes = fs
      .readFileSync(path.join(drqn, "metrics.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"type":"episode"')).length;
    const { page, watch } = await openPage(harness.browser, harness.url);
    await page.click("#tab-run");
    await page.setInputFiles("#run-files", drqn);
    await page.waitForFunction('document.getElementById("run-rolling") !== null', null, { timeout: 20_000 });
    expect(await page.textContent("#run-title")).toBe(
      `cartpole-novel-drqn-run: drqn, CartPole-NoVel-v1, seed 1 — ${episodes} episodes, 3 updates`,
    );
    await page.click("#run-play");
    await page.waitForFunction(
      '(JSON.parse(document.getElementById("run-episodes").dataset.returns ?? "[]")).length >= 3',
      null,
      { timeout: 60_000 },
    );
    const pageReturns = JSON.parse(
      (await page.getAttribute("#run-episodes", "data-returns")) ?? "[]",
    ) as number[];
    expect(pageReturns.slice(0, 3)).toEqual(await nodeEvalReturns(3, drqn));
    expect(await page.textContent("#run-agent")).toMatch(
      /^drqn on CartPole-NoVel-v1 \(seed 1\), LSTM 16, 2,194 parameters/,
    );
    expect(await page.$eval("#run-hidden", (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(
      false,
    );
    expect(await page.textContent("#run-error")).toBe("");
    await page.click("#run-play"); // Stop
    expect(watch.errors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  }, 90_000);

  it("shows the curve of the files dropped, and says what is missing from a drop without config.json", async () => {
    const episodes = fs
      .readFileSync(path.join(RUN, "metrics.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"type":"episode"')).length;
    const { page, watch } = await openPage(harness.browser, harness.url);
    await page.click("#tab-run");
    // A drop as the browser delivers one: a DataTransfer of Files on the drop zone's dragover and drop
    // events. (Headless Chromium cannot drag a folder from a desktop; the folder walk is the same
    // code as the folder input's paths, tested above.)
    const drop = (files: Record<string, string>) =>
      page.evaluate(`(() => {
        const transfer = new DataTransfer();
        for (const [name, text] of Object.entries(${JSON.stringify(files)})) transfer.items.add(new File([text], name));
        const zone = document.getElementById("run-drop");
        zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        const over = zone.classList.contains("over");
        zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        return over;
      })()`);
    const read = (f: string) => fs.readFileSync(path.join(RUN, f), "utf8");
    expect(await drop({ "config.json": read("config.json"), "metrics.jsonl": read("metrics.jsonl") })).toBe(
      true,
    );
    await page.waitForFunction('document.getElementById("run-rolling") !== null', null, { timeout: 20_000 });
    expect(
      await page.$eval("#run-rolling", (el) => (el.getAttribute("points") ?? "").trim().split(" ").length),
    ).toBe(episodes);
    expect(await page.textContent("#run-title")).toMatch(
      /: ppo, CartPole-v1, seed 1 — \d+ episodes, 8 updates$/,
    );
    expect(await page.getAttribute("#run-drop", "class")).not.toContain("over");

    await drop({ "metrics.jsonl": read("metrics.jsonl") });
    await page.waitForFunction('document.getElementById("run-error").textContent !== ""', null, {
      timeout: 10_000,
    });
    expect(await page.textContent("#run-error")).toMatch(
      /^open a run: .* has no config\.json at its top \(got metrics\.jsonl\)/,
    );
    expect(watch.errors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  }, 60_000);
});

/** Returns of the first `episodes` episodes `pomdp eval --seed 0` plays with a fixture's agent, in Node on wasm. */
async function nodeEvalReturns(episodes: number, folder: string = RUN): Promise<number[]> {
  const { initBackend } = await import("../../src/nn/backend");
  const { nnLogger } = await import("../../src/nn/log");
  await initBackend("wasm", nnLogger.child({}, { level: "warn" }));
  const { loadAgent } = await import("../../agents/index");
  const { playEpisodes } = await import("../../agents/evaluate");
  const { run, net, normalizer } = loadAgent(folder);
  try {
    const setup = {
      ...run.config,
      envId: run.envId,
      envKwargs: run.envKwargs,
      encoder: run.config.net.encoder,
    };
    return playEpisodes(net, normalizer, setup, { episodes, seed: 0, greedy: false }).returns;
  } finally {
    net.dispose();
  }
}
