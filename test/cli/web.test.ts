// `pomdp web`: builds the page into --dir when it is missing, serves it on localhost until stopped;
// --build-only builds and exits; a bad --port is refused before anything loads.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "../..");
const BIN = path.join(ROOT, "src/bin.js");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("pomdp web", () => {
  it("refuses a bad --port naming it", () => {
    const r = spawnSync(process.execPath, [BIN, "web", "--port", "70000"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      `option '-p, --port <n>' argument '70000' is invalid. expected a port 0-65535, got "70000"`,
    );
  });

  it("--build-only writes the page; then serving it answers on localhost until SIGINT", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-web-cli-"));
    dirs.push(dir);
    const build = spawnSync(process.execPath, [BIN, "web", "--build-only", "--dir", dir], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(build.status).toBe(0);
    expect(build.stderr).toMatch(/^built the page in .+ \(asked for\): 6 files, [\d.]+ MB, in [\d.]+ s\n$/);
    for (const f of ["index.html", "page.js", "worker.js", "tfjs-backend-wasm-simd.wasm"])
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);

    const child = spawn(process.execPath, [BIN, "web", "--port", "0", "--dir", dir], { cwd: ROOT });
    try {
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d) => {
          stdout += d;
          const m = /^serving .+ at (http:\/\/localhost:\d+\/) \(Ctrl-C stops\)$/m.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.on("exit", (code) => reject(new Error(`pomdp web exited (${code}): ${stderr}`)));
      });
      // Up to date: served as built, without building again.
      expect(stderr).toBe("");
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script src="page.js"></script>');
      const wasm = await fetch(`${url}tfjs-backend-wasm-simd.wasm`);
      expect(wasm.headers.get("content-type")).toBe("application/wasm");
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});
