// Bootstrap of an AsyncVectorEnv worker thread: registers the project's `.ts` hook (src/transpile.js:
// swc, transpile only) so the worker can load the project's TypeScript, then runs vector_worker_main.ts.
require("../transpile").registerTypeScript();
require("./vector_worker_main.ts");
