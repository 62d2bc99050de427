// Opens report.html in headless Chromium (Debian's chromium, driven by playwright-core) and checks that
// the plots rendered and the table has a row per agent × env, with no network request.
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { writeReport } from "../../src/report/experiment_report";
import { CHROMIUM, launchChromium } from "../../src/web/drive";
import { AGENTS, ENVS, makeMemoryLengthFolder, makeResultsFolder, SEEDS } from "./results_fixture";

// In CI the browser test must run (.ci/run installs chromium); elsewhere it is skipped without one.
const skip = !fs.existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`report browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) fs.rmSync(f, { recursive: true, force: true });
});

describe.skipIf(skip)(`report.html in headless Chromium${skip ? ` (skipped: no ${CHROMIUM})` : ""}`, () => {
  it("renders every plot and a table row per agent × env, offline", async () => {
    const dir = makeResultsFolder({ diagnostics: true });
    folders.push(dir);
    const { html } = await writeReport(dir, { resamples: 300 });

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:")) return route.continue();
        requests.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
      // vega's runtime redraws every plot from its spec (interactive) in place of the static SVG.
      await page.waitForFunction(
        'document.querySelectorAll(".vega-live").length === document.querySelectorAll("figure.plot").length',
      );
      expect(await page.locator(".vega-plot").count()).toBe(0);

      const plots = await page.$$eval("figure.plot", (figures) =>
        figures.map((f) => {
          const svg = f.querySelector("svg");
          const box = svg?.getBoundingClientRect();
          const count = (kind: string) => f.querySelectorAll(`[aria-roledescription="${kind}"]`).length;
          return {
            id: f.id,
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            children: svg?.querySelectorAll("*").length ?? 0,
            lines: count("line mark"),
            areas: count("area mark"),
            rules: count("rule mark"),
            ticks: count("tick"),
          };
        }),
      );
      const cells = AGENTS.length * ENVS.length;
      expect(plots.map((p) => p.id)).toEqual([
        "plot-learning-curves",
        "plot-final-scores",
        "plot-improvement",
        "plot-performance-profiles",
        "plot-interval-estimates",
        "plot-evaluation-curves",
        "plot-diagnostics-CartPole-NoVel-v1",
        "plot-diagnostics-TMaze-v0",
      ]);
      for (const p of plots) {
        expect(p.width, p.id).toBeGreaterThan(200);
        expect(p.height, p.id).toBeGreaterThan(50);
        expect(p.children, p.id).toBeGreaterThan(20);
      }
      const [curves, finals, improvement, profiles] = plots;
      expect([curves.lines, curves.areas]).toEqual([cells * (1 + SEEDS.length), cells]);
      expect([finals.rules, finals.ticks]).toEqual([cells, cells]);
      expect([improvement.rules, improvement.ticks]).toEqual([2, 1]); // the 0.5 line, one pair
      expect([profiles.lines, profiles.areas]).toEqual([AGENTS.length, AGENTS.length]);

      const rows = await page.$$eval("table#scores tbody tr", (trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
      );
      expect(rows.map((r) => `${r[0]} / ${r[1]}`)).toEqual(
        AGENTS.flatMap((a) => ENVS.map((e) => `${a.label} / ${e.label}`)),
      );
      expect(rows.every((r) => r[4] === String(SEEDS.length))).toBe(true);
      expect(await page.locator("details.run").count()).toBe(cells * SEEDS.length);
      // Hovering a point of an IQM curve shows its numbers; the checkbox hides the seeds' traces.
      await page
        .locator("#plot-learning-curves path[aria-roledescription='point']")
        .nth(20)
        .hover({ force: true });
      await expect
        .poll(() => page.$eval("#plot-learning-curves .vega-live", (d) => d.getAttribute("title") ?? ""))
        .toMatch(
          /^agent: PPO \(MLP\)\nEnv steps: [\d,]+\nIQM: [\d.]+\nCI low: [\d.]+\nCI high: [\d.]+\nseeds: 3$/,
        );
      const seedOpacity = () =>
        page.$$eval("#plot-learning-curves path[aria-roledescription='line mark']", (ps) =>
          ps
            .filter((p) => (p.getAttribute("aria-label") ?? "").includes("· seed"))
            .map((p) => p.getAttribute("opacity")),
        );
      expect(new Set(await seedOpacity())).toEqual(new Set(["0.35"]));
      await page.locator("#plot-learning-curves input[type=checkbox]").uncheck();
      await expect.poll(async () => [...new Set(await seedOpacity())]).toEqual(["0"]);
      expect(requests).toEqual([]);
      if (process.env.REPORT_SCREENSHOT)
        await page.screenshot({ path: path.resolve(process.env.REPORT_SCREENSHOT), fullPage: true });
    } finally {
      await browser.close();
    }
  });
  it("draws the success-against-memory-length figure live, with each point's numbers on hover", async () => {
    const dir = makeMemoryLengthFolder();
    folders.push(dir);
    // 2,000 resamples: enough that 3 seeds' 95 % interval of the mean is exactly [min, max].
    const { html } = await writeReport(dir, { resamples: 2000 });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
      await page.waitForFunction(
        'document.querySelectorAll(".vega-live").length === document.querySelectorAll("figure.plot").length',
      );
      const figure = page.locator("#plot-memory-length");
      const count = (kind: string) => figure.locator(`[aria-roledescription="${kind}"]`).count();
      // A line per agent in each of the 2 panels; a CI rule per point and the chance line per panel.
      expect(await count("line mark")).toBe(2 * 2);
      expect(await count("rule mark")).toBe(8 + 2);
      // The first mean point: MLP on the T-maze of length 5 (normalized 0, 0.2, 0.1 over 3 seeds).
      const points = figure.locator("path[aria-roledescription='point']");
      const labels = await points.evaluateAll((ps) => ps.map((p) => p.getAttribute("aria-label") ?? ""));
      const first = labels.findIndex((l) => l.includes("mean: 0.1;"));
      expect(first).toBeGreaterThanOrEqual(0);
      await points.nth(first).hover({ force: true });
      await expect
        .poll(() => page.$eval("#plot-memory-length .vega-live", (d) => d.getAttribute("title") ?? ""))
        .toBe(
          "agent: PPO (MLP)\nenv: T-maze, length 5\nmemory length: 5\nmean: 0.1\nCI low: 0\nCI high: 0.2\nseeds: 3",
        );
    } finally {
      await browser.close();
    }
  });
});
