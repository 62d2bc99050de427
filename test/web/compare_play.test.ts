// The page's Compare and Play views in headless Chromium: two networks train side by side in two
// workers with both curves on one plot; a gridworld is played with the keyboard as `pomdp play` plays it.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlaySession } from "../../src/cli/play_session";
import { CHROMIUM, openPage } from "../../src/web/drive";
import { type PageHarness, pageHarness } from "./built_page";

const skip = !fs.existsSync(CHROMIUM) && !process.env.CI;

/** Points of the polyline `id` (in the page). */
const points = (id: string) =>
  `(document.getElementById(${JSON.stringify(id)})?.getAttribute("points") ?? "").trim().split(" ").filter((p) => p !== "").length`;

describe.skipIf(skip)("the Compare and Play views in headless Chromium", () => {
  let harness: PageHarness;
  beforeAll(async () => {
    harness = await pageHarness();
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });

  it("trains an MLP and an LSTM on the same env and seed in two workers, both curves on one plot", async () => {
    const { page, watch } = await openPage(harness.browser, harness.url);
    await page.click("#tab-compare");
    expect(await page.inputValue("#compare-env")).toBe("CartPole-NoVel-v1");
    expect(await page.inputValue("#compare-network-a")).toBe("mlp");
    expect(await page.inputValue("#compare-network-b")).toBe("lstm");
    await page.click("#compare-start");
    await page.waitForFunction(`${points("compare-a")} >= 2 && ${points("compare-b")} >= 2`, null, {
      timeout: 60_000,
    });
    const first = {
      a: await page.evaluate(points("compare-a")),
      b: await page.evaluate(points("compare-b")),
    };
    await page.waitForFunction(
      `${points("compare-a")} > ${first.a} && ${points("compare-b")} > ${first.b}`,
      null,
      { timeout: 60_000 },
    );
    const legend = await page.$$eval("#compare-curve text.legend", (els) => els.map((e) => e.textContent));
    expect(legend).toEqual(["PPO, MLP (no memory) (A)", "recurrent PPO, LSTM 64 (B)"]);
    // The legend sits in its own row above the plot: below its text's baseline, no curve reaches up.
    const legendBaseline = Math.max(
      ...(await page.$$eval("#compare-curve text.legend", (els) =>
        els.map((e) => Number(e.getAttribute("y"))),
      )),
    );
    const highestPoint = Math.min(
      ...(await page.$$eval("#compare-curve polyline", (els) =>
        els.flatMap((e) =>
          (e.getAttribute("points") ?? "")
            .trim()
            .split(" ")
            .filter((p: string) => p !== "")
            .map((p: string) => Number(p.split(",")[1])),
        ),
      )),
    );
    expect(legendBaseline).toBeLessThan(highestPoint);
    expect(await page.textContent("#compare-error")).toBe("");
    await page.click("#compare-pause");
    expect(watch.errors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  }, 150_000);

  it("plays a gridworld with the keyboard: ArrowUp moves the agent, as in pomdp play", async () => {
    const { page, watch } = await openPage(harness.browser, harness.url);
    await page.click("#tab-play");
    await page.fill("#play-env", "MiniGrid-Empty-5x5-v0");
    await page.fill("#play-seed", "0");
    await page.click("#play-start");
    const text0 = await page.textContent("#play-text");
    const picture0 = await page.$eval("#play-picture", (c) =>
      (c as unknown as { toDataURL(): string }).toDataURL(),
    );
    // The same session in Node: the page shows pomdp play's picture, word for word.
    const shown: string[] = [];
    const session = new PlaySession("MiniGrid-Empty-5x5-v0", 0, (t) => shown.push(t));
    session.start();
    expect(text0).toBe(shown.at(-1));
    expect(text0).toContain("step 0");

    await page.keyboard.press("ArrowUp");
    const text1 = await page.textContent("#play-text");
    session.press("up");
    expect(text1).toBe(shown.at(-1));
    expect(text1).toContain("step 1 (forward)");
    const picture1 = await page.$eval("#play-picture", (c) =>
      (c as unknown as { toDataURL(): string }).toDataURL(),
    );
    expect(picture1).not.toBe(picture0);
    expect(await page.$eval("#play-view", (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(false);

    // TMaze has its own keys: the arrows move north / east / south / west.
    await page.fill("#play-env", "TMaze-v0");
    await page.click("#play-start");
    await page.keyboard.press("ArrowRight");
    expect(await page.textContent("#play-text")).toContain("step 1 (east)");

    // CartPole-NoVel: the arrows push the cart; the page draws its render() picture and pomdp play's
    // text (the cart as text, the state, and the [x, θ] the agent observes).
    await page.fill("#play-env", "CartPole-NoVel-v1");
    await page.fill("#play-seed", "0");
    await page.click("#play-start");
    const cart: string[] = [];
    const cartSession = new PlaySession("CartPole-NoVel-v1", 0, (t) => cart.push(t));
    cartSession.start();
    expect(await page.textContent("#play-text")).toBe(cart.at(-1));
    const cartPicture0 = await page.$eval("#play-picture", (c) =>
      (c as unknown as { toDataURL(): string }).toDataURL(),
    );
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press("ArrowRight");
      cartSession.press("right");
    }
    expect(await page.textContent("#play-text")).toBe(cart.at(-1));
    expect(cart.at(-1)).toContain("step 5 (push right)");
    expect(await page.$eval("#play-picture", (c) => (c as unknown as { width: number }).width)).toBe(600);
    expect(
      await page.$eval("#play-picture", (c) => (c as unknown as { toDataURL(): string }).toDataURL()),
    ).not.toBe(cartPicture0);
    expect(await page.$eval("#play-view", (el) => (el as unknown as { hidden: boolean }).hidden)).toBe(true);

    // An unknown id: the registry's message, as on the command line.
    await page.fill("#play-env", "CartPole-v9");
    await page.click("#play-start");
    expect(await page.textContent("#play-error")).toContain('"CartPole-v9"');
    session.press("quit");
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 60_000);
});
