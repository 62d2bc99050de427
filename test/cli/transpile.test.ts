// src/transpile.js, the `.ts` hook of `pomdp` and of AsyncVectorEnv's workers: swc with the options
// ts-node derives from tsconfig.json (as `npx ts-node` runs the scripts), the same modules loaded as
// TypeScript's own transpiler would load, and stack traces that point at the TypeScript lines.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as swc from "@swc/core";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers";

const transpile = require(path.join(ROOT, "src/transpile.js")) as {
  swcOptions(swcModule: typeof swc): swc.Options;
};
/** ts-node's own derivation of swc's options from compilerOptions (untyped: an internal of ts-node's swc mode). */
const { createSwcOptions } = require("ts-node/transpilers/swc") as {
  createSwcOptions(
    compilerOptions: ts.CompilerOptions,
    nodeModuleEmitKind: undefined,
    swcModule: typeof swc,
    name: string,
  ): { nonTsxOptions: swc.Options };
};

/** The project's TypeScript files that run (not tests), as git does not ignore them. */
function projectFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "results") walk(rel);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(rel);
    }
  };
  for (const dir of ["src", "envs", "agents", "experiments"]) walk(dir);
  return files;
}

/** The modules a CommonJS output requires, sorted. */
function requires(js: string): string[] {
  return [...new Set([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
}

describe("the .ts hook (src/transpile.js)", () => {
  it("gives swc the options ts-node's swc mode derives from tsconfig.json", () => {
    const { create } = require("ts-node") as typeof import("ts-node");
    const service = create({ project: path.join(ROOT, "tsconfig.json") });
    const fromTsconfig = createSwcOptions(service.config.options, undefined, swc, "@swc/core").nonTsxOptions;
    expect(transpile.swcOptions(swc)).toEqual(fromTsconfig);
    expect(service.options.swc).toBe(true); // npx ts-node (scripts) transpiles with swc too
  });

  it("loads the same modules as TypeScript's transpiler: `import type` and type-only imports are dropped alike", () => {
    const options = transpile.swcOptions(swc);
    const files = projectFiles();
    expect(files.length).toBeGreaterThan(100);
    const differ: string[] = [];
    for (const file of files) {
      const source = fs.readFileSync(path.join(ROOT, file), "utf8");
      const byTsc = ts.transpileModule(source, {
        fileName: file,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.CommonJS,
          esModuleInterop: true,
          strict: true,
        },
      }).outputText;
      const bySwc = swc.transformSync(source, { ...options, filename: file, sourceMaps: false }).code;
      if (requires(byTsc).join() !== requires(bySwc).join()) differ.push(file);
    }
    expect(differ).toEqual([]);
  }, 60_000);

  it("maps stack traces back to the TypeScript lines, and registers .ts only once", () => {
    const script = `
      const hook = require("./src/transpile.js");
      hook.registerTypeScript();
      const handler = require.extensions[".ts"];
      hook.registerTypeScript();
      if (require.extensions[".ts"] !== handler) throw new Error("registered twice");
      try { require("./test/cli/fixtures/throws.ts").fail(); }
      catch (err) { console.log(err.stack.split("\\n").slice(0, 2).join("|")); }`;
    const run = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(
      `Error: thrown on line 9|    at Object.fail (${path.join(ROOT, "test/cli/fixtures/throws.ts")}:9:9)`,
    );
  });
});
