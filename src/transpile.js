// Loads the project's TypeScript in `pomdp` (src/bin.js) and in AsyncVectorEnv's worker threads:
// a `.ts` require hook that transpiles each file with swc (@swc/core, one native call, ~1 ms a file)
// instead of ts-node's TypeScript compiler, which takes ~0.4 s to load and ~20 ms a file (3 s of the
// 3.3 s `pomdp --help` took). Transpile only, as before: `npm run typecheck` does the type checking.
//
// The swc options are ts-node's own for this tsconfig.json (ts-node's `createSwcOptions`, which
// `npx ts-node` uses too, with "swc": true in tsconfig.json): the same emit for both ways of running
// the code. They are fixed here rather than read from tsconfig.json, because parsing it takes the
// TypeScript compiler; test/cli/transpile.test.ts checks that they match what ts-node derives from it.
// Files under node_modules are left to Node, as ts-node leaves them.

const path = require("node:path");

/**
 * tsconfig.json's compilerOptions that decide the emit, as the numbers of TypeScript's enums
 * (target ES2022 = 9, module CommonJS = 1), plus the source maps ts-node always asks for.
 */
const COMPILER_OPTIONS = Object.freeze({
  target: 9,
  module: 1,
  esModuleInterop: true,
  strict: true,
  sourceMap: true,
});

/** swc's options for a `.ts` file: ts-node's, derived from {@link COMPILER_OPTIONS}. */
function swcOptions(swc) {
  const { createSwcOptions } = require("ts-node/transpilers/swc");
  return createSwcOptions(COMPILER_OPTIONS, undefined, swc, "@swc/core").nonTsxOptions;
}

const NODE_MODULES = /(?:^|[\\/])node_modules[\\/]/;

/** Source maps of the transpiled files, for stack traces (by file name). */
const sourceMaps = new Map();

/**
 * Maps stack traces of transpiled files back to their TypeScript lines, as ts-node does (the same
 * @cspotcode/source-map-support), installed the first time a stack trace is formatted: loading it
 * costs ~40 ms that a command which prints no stack trace need not pay.
 */
function installSourceMapsLazily() {
  const original = Error.prepareStackTrace;
  const placeholder = (error, frames) => {
    if (Error.prepareStackTrace === placeholder) {
      Error.prepareStackTrace = original;
      const support = require(
        require.resolve("@cspotcode/source-map-support", {
          paths: [path.dirname(require.resolve("ts-node/package.json"))],
        }),
      );
      support.install({
        environment: "node",
        retrieveSourceMap: (file) => {
          const map = sourceMaps.get(file);
          return map === undefined ? null : { url: file, map };
        },
      });
    }
    const prepare = Error.prepareStackTrace;
    return prepare ? prepare(error, frames) : `${error}\n    at ${frames.join("\n    at ")}`;
  };
  Error.prepareStackTrace = placeholder;
}

/**
 * Registers the `.ts` hook in this thread (each worker thread has its own module system, so each
 * registers it too). Does nothing when `.ts` files already load (ts-node or another hook is in place).
 */
function registerTypeScript() {
  if (require.extensions[".ts"]) return;
  let swc;
  try {
    swc = require("@swc/core");
  } catch {
    // No native swc for this platform (an install without optional dependencies): TypeScript's own
    // transpiler through ts-node, as before swc. The same modules load, seconds later.
    require("ts-node").register({
      transpileOnly: true,
      swc: false,
      project: path.join(__dirname, "..", "tsconfig.json"),
    });
    return;
  }
  const options = swcOptions(swc);
  const loadJs = require.extensions[".js"];
  require.extensions[".ts"] = (module, filename) => {
    if (NODE_MODULES.test(path.relative(path.join(__dirname, ".."), filename)))
      return loadJs(module, filename);
    const compile = module._compile;
    module._compile = function (code, file) {
      const { code: js, map } = swc.transformSync(code, { ...options, filename: file });
      if (map !== undefined) sourceMaps.set(file, map);
      return compile.call(this, js, file);
    };
    return loadJs(module, filename);
  };
  installSourceMapsLazily();
}

module.exports = { COMPILER_OPTIONS, registerTypeScript, swcOptions };
