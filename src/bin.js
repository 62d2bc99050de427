#!/usr/bin/env node
// Entry of the `pomdp` command: runs the TypeScript CLI through the swc require hook of
// src/transpile.js (transpile only, so start-up stays fast and no build step is needed after `npm ci`;
// `npm run typecheck` does the type checking).
require("./transpile").registerTypeScript();
require("./cli.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code ?? 0;
  })
  .catch((err) => {
    console.error(err instanceof Error ? `pomdp: ${err.message}` : err);
    process.exitCode = 1;
  });
