// `npm run screenshots`: PNGs of each view of the browser page (Train, Compare, Play, Open a run) in
// headless Chromium, written to web/screenshots/ (the README shows two). The page is built into a
// temporary folder and served on localhost; each training view trains for `--seconds` of wall time.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { buildWeb, REPO_ROOT } from "./build";
import { launchChromium, openPage, startTraining } from "./drive";
import { serveStatic } from "./serve";

/** Where the PNGs go. */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, "web", "screenshots");

/** The fixture run the "Open a run" view shows. */
const FIXTURE_RUN = path.join(REPO_ROOT, "test", "web", "fixtures", "cartpole-ppo-run");

/** What a screenshot shows, for the console. */
interface Shot {
  file: string;
  what: string;
}

async function shoot(page: Page, file: string): Promise<string> {
  const out = path.join(SCREENSHOT_DIR, file);
  await page.screenshot({ path: out, fullPage: false });
  return out;
}

/** Writes the screenshots; `seconds`: wall time each training view trains before its picture. */
export async function writeScreenshots(seconds = 60): Promise<Shot[]> {
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`screenshots: seconds must be > 0, got ${seconds}`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-screenshots-"));
  await buildWeb(dir);
  const server = await serveStatic(dir, 0);
  const browser = await launchChromium();
  const shots: Shot[] = [];
  try {
    // Train: recurrent PPO on the POMDP (CartPole without velocities), its env and its LSTM's h.
    {
      const { page } = await openPage(browser, server.url);
      await page.setViewportSize({ width: 1000, height: 1020 });
      await startTraining(page, { env: "CartPole-NoVel-v1", network: "lstm", seed: 1, backend: "auto" });
      await page.waitForTimeout(seconds * 1000);
      await shoot(page, "train.png");
      shots.push({ file: "train.png", what: "Train: recurrent PPO (LSTM 64) on CartPole-NoVel-v1" });
      await page.close();
    }
    // Compare: MLP and LSTM on CartPole-NoVel-v1, seed 1, side by side.
    {
      const { page } = await openPage(browser, server.url);
      await page.setViewportSize({ width: 1000, height: 740 });
      await page.click("#tab-compare");
      await page.click("#compare-start");
      await page.waitForTimeout(seconds * 1000);
      await shoot(page, "compare.png");
      shots.push({ file: "compare.png", what: "Compare: PPO MLP vs PPO LSTM on CartPole-NoVel-v1" });
      await page.close();
    }
    // Play: DoorKey with the keyboard, a few steps in.
    {
      const { page } = await openPage(browser, server.url);
      await page.setViewportSize({ width: 1000, height: 820 });
      await page.click("#tab-play");
      await page.fill("#play-env", "MiniGrid-DoorKey-5x5-v0");
      await page.click("#play-start");
      for (const key of ["ArrowLeft", "ArrowUp", "ArrowRight"]) await page.keyboard.press(key);
      await shoot(page, "play.png");
      shots.push({ file: "play.png", what: "Play: MiniGrid-DoorKey-5x5-v0 with the keyboard" });
      await page.close();
    }
    // Open a run: the test fixture's folder.
    {
      const { page } = await openPage(browser, server.url);
      await page.setViewportSize({ width: 1000, height: 1160 });
      await page.click("#tab-run");
      await page.setInputFiles("#run-files", FIXTURE_RUN);
      await page.waitForSelector("#run-rolling");
      await page.click("#run-play");
      await page.waitForFunction('document.getElementById("run-episodes").textContent !== ""', null, {
        timeout: 60_000,
      });
      await shoot(page, "run.png");
      shots.push({
        file: "run.png",
        what: "Open a run: test/web/fixtures/cartpole-ppo-run, its agent playing",
      });
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return shots;
}

if (require.main === module) {
  const flag = process.argv.indexOf("--seconds");
  const seconds = flag >= 0 ? Number(process.argv[flag + 1]) : 60;
  writeScreenshots(seconds).then(
    (shots) => {
      for (const s of shots)
        console.log(`${path.join(path.relative(process.cwd(), SCREENSHOT_DIR), s.file)}: ${s.what}`);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
