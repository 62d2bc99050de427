#!/usr/bin/env node
// Entry of the `pomdp` command: runs the TypeScript CLI through the swc require hook of
// src/transpile.js (transpile only, so start-up stays fast and no build step is needed after `npm ci`;
// `npm run typecheck` does the type checking).
require("./transpile").registerTypeScript();
// Output piped into a reader that stops early (`pomdp play … | head`): end quietly, as Unix tools do,
// instead of an EPIPE stack trace.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});
require("./cli.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code ?? 0;
  })
  .catch((err) => {
    console.error(err instanceof Error ? `pomdp: ${err.message}` : err);
    process.exitCode = 1;
  });
