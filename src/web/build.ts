// Builds the browser page (web/): one bundle for the page and one for its training worker (esbuild),
// index.html, and tfjs-backend-wasm's .wasm files, into a static folder that any static host can serve
// (no CDN: everything it loads is in the folder).
//
// The worker bundles the project's own envs, agents and nn code. Along the path it runs (PPO with an
// MLP on a registered env, tfjs-backend-wasm, no run folder) no Node built-in is called, but modules on
// it import some (fs, path, os, worker_threads for run folders, checkpoints and wasm threads under
// Node): those resolve to a stub here whose every function throws, naming itself, if a browser path
// ever calls it, instead of failing obscurely.
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";

/** The repository's root (this file is src/web/build.ts). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Where `npm run build:web` and `pomdp web` put the page by default. */
export const DEFAULT_WEB_DIR = path.join(REPO_ROOT, "web", "dist");

/** The files a built page has (checked by `pomdp web` before serving). */
export const WEB_FILES = ["index.html", "page.js", "worker.js"] as const;

/** What a build wrote. */
export interface WebBuild {
  dir: string;
  /** Bytes of each file written. */
  files: Record<string, number>;
  /** Bytes of each bundle by where they come from: an npm package, or the project's top folder. */
  sources: Record<string, Record<string, number>>;
  seconds: number;
}

/**
 * Packages for Node only that modules on the page's path import without calling them there: the optional
 * Node binding of TF.js (src/nn/backend.ts, for the 'tensorflow' backend) and pngjs (the autoencoder's
 * reconstruction images, written into a run folder).
 */
const NODE_ONLY_PACKAGES = ["@tensorflow/tfjs-node", "pngjs"] as const;

/** The stub module of a Node built-in: every property is a function that throws naming it. */
function builtinStub(name: string): string {
  return `const name = ${JSON.stringify(name)};
module.exports = new Proxy({}, {
  get(_, key) {
    if (key === "__esModule") return false;
    if (typeof key === "symbol") return undefined;
    return function () {
      throw new Error(name + "." + key + " is not available in the browser (src/web/build.ts)");
    };
  },
});`;
}

/** Builds the page into `outDir` (default {@link DEFAULT_WEB_DIR}); returns what it wrote. */
export async function buildWeb(
  outDir: string = DEFAULT_WEB_DIR,
  options: { minify?: boolean } = {},
): Promise<WebBuild> {
  const started = performance.now();
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch (err) {
    throw new Error(
      `building the page needs esbuild, a dev dependency (install with npm ci, without --omit=dev): ${(err as Error).message.split("\n")[0]}`,
    );
  }
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  fs.mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: {
      page: path.join(REPO_ROOT, "web", "page.ts"),
      worker: path.join(REPO_ROOT, "web", "worker.ts"),
    },
    outdir: outDir,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: options.minify ?? true,
    sourcemap: false,
    logLevel: "silent",
    legalComments: "none",
    metafile: true,
    define: { "process.env.NODE_ENV": '"production"' },
    // pino's browser build has no pino.destination, which src/nn/log.ts calls when it loads.
    alias: { pino: path.join(REPO_ROOT, "web", "pino_browser.ts") },
    // The library reads POMDP_* settings from process.env at load time, and scripts that also run as a
    // command (src/nn/bench.ts) test `require.main === module`: a browser has neither, so no settings
    // and no main module (esbuild's require.main is undefined, which must not equal \`module\`).
    banner: {
      js: "var process = globalThis.process || { env: {}, argv: [], platform: 'browser' }; var module = { id: 'browser' };",
    },
    plugins: [
      {
        name: "node-builtins-stub",
        setup(build) {
          // zlib's crc32 checks checkpoints' weights (an agent opened from a run folder): the browser's own.
          build.onResolve({ filter: /^(node:)?zlib$/ }, () => ({
            path: path.join(REPO_ROOT, "web", "zlib_browser.ts"),
          }));
          build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
            builtins.has(args.path)
              ? { path: `node:${args.path.replace(/^node:/, "")}`, namespace: "node-stub" }
              : undefined,
          );
          build.onResolve({ filter: /^[@a-z]/ }, (args) =>
            (NODE_ONLY_PACKAGES as readonly string[]).includes(args.path)
              ? { path: args.path, namespace: "node-stub" }
              : undefined,
          );
          // Node's threads of tfjs-backend-wasm (files, worker_threads): the browser's own instead; and
          // the small kernels' row threads (worker_threads): one thread in the page.
          build.onResolve({ filter: /\/wasm_threads$/ }, (args) =>
            path.join(args.resolveDir, args.path) === path.join(REPO_ROOT, "src", "nn", "wasm_threads")
              ? { path: path.join(REPO_ROOT, "web", "wasm_threads_browser.ts") }
              : undefined,
          );
          build.onResolve({ filter: /\/row_threads$/ }, (args) =>
            path.join(args.resolveDir, args.path) ===
            path.join(REPO_ROOT, "src", "nn", "small", "row_threads")
              ? { path: path.join(REPO_ROOT, "web", "row_threads_browser.ts") }
              : undefined,
          );
          build.onLoad({ filter: /.*/, namespace: "node-stub" }, (args) => ({
            contents: builtinStub(args.path),
            loader: "js",
          }));
        },
      },
    ],
  });
  const problems = [...result.errors, ...result.warnings];
  if (result.errors.length > 0) {
    throw new Error(`build:web failed: ${problems.map((p) => p.text).join("; ")}`);
  }
  fs.copyFileSync(path.join(REPO_ROOT, "web", "index.html"), path.join(outDir, "index.html"));
  const wasmDir = path.join(
    path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")),
    "dist",
  );
  for (const file of fs.readdirSync(wasmDir).filter((f) => f.endsWith(".wasm"))) {
    fs.copyFileSync(path.join(wasmDir, file), path.join(outDir, file));
  }
  const files: Record<string, number> = {};
  for (const file of fs.readdirSync(outDir).sort()) files[file] = fs.statSync(path.join(outDir, file)).size;
  const sources: Record<string, Record<string, number>> = {};
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    const bytes: Record<string, number> = {};
    for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const key = pkg ?? (input.startsWith("node-stub:") ? "(node built-in stubs)" : input.split("/")[0]!);
      bytes[key] = (bytes[key] ?? 0) + bytesInOutput;
    }
    sources[path.basename(output)] = Object.fromEntries(Object.entries(bytes).sort((a, b) => b[1] - a[1]));
  }
  return { dir: outDir, files, sources, seconds: (performance.now() - started) / 1000 };
}
