// Opens report.html in headless Chromium (Debian's chromium, driven by playwright-core) and checks that
// the plots rendered and the table has a row per agent × env, with no network request.
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { writeReport } from "../../src/report/experiment_report";
import { AGENTS, ENVS, makeResultsFolder, SEEDS } from "./results_fixture";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
// In CI the browser test must run (.ci/run installs chromium); elsewhere it is skipped without one.
const skip = !fs.existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`report browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) fs.rmSync(f, { recursive: true, force: true });
});

describe.skipIf(skip)(`report.html in headless Chromium${skip ? ` (skipped: no ${CHROMIUM})` : ""}`, () => {
  it("renders every plot and a table row per agent × env, offline", async () => {
    const dir = makeResultsFolder();
    folders.push(dir);
    const { html } = await writeReport(dir, { resamples: 300 });

    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
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
      ]);
      for (const p of plots) {
        expect(p.width, p.id).toBeGreaterThan(200);
        expect(p.height, p.id).toBeGreaterThan(50);
        expect(p.children, p.id).toBeGreaterThan(20);
      }
      const [curves, finals, improvement, profiles] = plots;
      expect([curves.lines, curves.areas]).toEqual([cells, cells]);
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
      expect(requests).toEqual([]);
      if (process.env.REPORT_SCREENSHOT)
        await page.screenshot({ path: path.resolve(process.env.REPORT_SCREENSHOT), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
