// The page's Train view in headless Chromium: the env the agent plays is drawn on a canvas while it
// trains, a recurrent agent's memory as a heat map beside it; the config is shown as editable JSON,
// validated on Start by the zod schema `pomdp train` uses (its error on the page, word for word), and
// training uses the edited values.
import * as fs from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_CATALOG } from "../../agents/catalog";
import { resolveRunConfig } from "../../src/train/resolve";
import { CHROMIUM, openPage, startTraining } from "../../src/web/drive";
import { pageRunRequest } from "../../web/run_request";
import { type PageHarness, pageHarness } from "./built_page";

const skip = !fs.existsSync(CHROMIUM) && !process.env.CI;

/** Distinct colours among the canvas's pixels (1: blank, one colour). */
function canvasColours(page: Page, id: string): Promise<number> {
  return page.evaluate(`(() => {
    const canvas = document.getElementById(${JSON.stringify(id)});
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return colours.size;
  })()`);
}

/** Waits until the editor holds the config resolved for the form's choice. */
async function waitForResolvedConfig(page: Page): Promise<void> {
  await page.waitForFunction(
    'document.getElementById("config-status").textContent.startsWith("resolved from")',
    null,
    {
      timeout: 20_000,
    },
  );
}

describe.skipIf(skip)("the Train view in headless Chromium", () => {
  let harness: PageHarness;
  beforeAll(async () => {
    harness = await pageHarness();
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });

  it("draws the env the MLP agent plays on a canvas (no heat map without memory)", async () => {
    const { page, watch } = await openPage(harness.browser, harness.url);
    await startTraining(page, { env: "CartPole-v1", seed: 3 });
    await page.waitForFunction('Number(document.getElementById("env-picture").dataset.frames) >= 3', null, {
      timeout: 30_000,
    });
    expect(await canvasColours(page, "env-picture")).toBeGreaterThan(1);
    // CartPole draws 600 × 400; the showcase posts it at most 320 wide.
    expect(await page.getAttribute("#env-picture", "width")).toBe("320");
    expect(await page.$eval("#hidden", (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(true);
    expect(await page.textContent("#env-caption")).toMatch(/^episode step \d+, return \d+/);
    expect(watch.errors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  }, 60_000);

  it("shows a recurrent agent's hidden state as a heat map beside the env", async () => {
    const { page, watch } = await openPage(harness.browser, harness.url);
    await startTraining(page, { env: "CartPole-NoVel-v1", network: "lstm", seed: 1 });
    await page.waitForFunction('Number(document.getElementById("hidden").dataset.columns) >= 3', null, {
      timeout: 60_000,
    });
    expect(await page.$eval("#hidden", (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(false);
    // ppo-lstm-cartpole-novel: separate actor and critic LSTMs of 64 units.
    expect(await page.textContent("#hidden-label")).toContain("actor / critic LSTM h (64 units each)");
    expect(await canvasColours(page, "hidden")).toBeGreaterThan(2);
    expect(await canvasColours(page, "env-picture")).toBeGreaterThan(1);
    expect(await page.textContent("#config")).toContain("preset: ppo-lstm-cartpole-novel");
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("TMaze, which draws no picture: its recurrent preset's shared LSTM as the heat map, the picture hidden", async () => {
    const { page, watch } = await openPage(harness.browser, harness.url);
    await startTraining(page, { env: "TMaze-v0", preset: "ppo-lstm-tmaze", network: "lstm", seed: 1 });
    await page.waitForFunction('Number(document.getElementById("hidden").dataset.columns) >= 2', null, {
      timeout: 60_000,
    });
    expect(await page.textContent("#hidden-label")).toContain("shared LSTM h (64 units)");
    expect(await page.$eval("#env-picture", (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(
      true,
    );
    expect(await page.textContent("#env-caption")).toContain("(this env draws no picture)");
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("validates the edited config with pomdp train's zod schema and trains with the edited values", async () => {
    const { page, watch } = await openPage(harness.browser, harness.url);
    await waitForResolvedConfig(page);
    const shown = JSON.parse(await page.inputValue("#config-editor")) as Record<string, unknown>;
    const expectedShown = await resolveRunConfig(
      pageRunRequest({ env: "CartPole-v1", preset: "auto", agent: "ppo", network: "mlp" }),
      AGENT_CATALOG,
    );
    expect(shown).toEqual(expectedShown.config);

    // A bad value: the page shows the message `pomdp train --config` gives for it.
    const bad = { ...shown, numSteps: "abc" };
    await page.fill("#config-editor", JSON.stringify(bad, null, 2));
    await page.click("#start");
    await page.waitForFunction('document.getElementById("error").textContent !== ""', null, {
      timeout: 20_000,
    });
    const expected = await resolveRunConfig(
      pageRunRequest({ env: "CartPole-v1", preset: "auto", agent: "ppo", network: "mlp" }, bad),
      AGENT_CATALOG,
    ).then(
      () => "",
      (err: Error) => err.message,
    );
    expect(expected).toBe('ppo config: field "numSteps": expected number, got "abc"');
    expect(await page.textContent("#error")).toBe(expected);

    // Not JSON: said so, before the worker sees it.
    await page.fill("#config-editor", "{ numSteps: 64");
    await page.click("#start");
    expect(await page.textContent("#error")).toMatch(/^config: not JSON \(/);

    // Edited values: 4 envs × 64 steps an update.
    await page.fill("#config-editor", JSON.stringify({ ...shown, numSteps: 64, totalSteps: 4096 }, null, 2));
    await page.click("#start");
    await page.waitForFunction('Number(document.getElementById("steps").dataset.value) >= 512', null, {
      timeout: 30_000,
    });
    const echo = await page.textContent("#config");
    expect(echo).toContain("preset: ppo-cartpole, edited on the page");
    expect(echo).toContain('"numSteps": 64');
    expect(echo).toContain('"totalSteps": 4096');
    expect(Number(await page.getAttribute("#steps", "data-value")) % 256).toBe(0);
    expect(await page.textContent("#error")).toBe("");
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 90_000);
});
