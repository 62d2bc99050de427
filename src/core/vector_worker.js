// Bootstrap of an AsyncVectorEnv worker thread: registers ts-node (transpile only) so the worker can
// load the project's TypeScript, then runs vector_worker_main.ts.
const path = require("node:path");
if (!require.extensions[".ts"]) {
  require("ts-node").register({
    transpileOnly: true,
    project: path.join(__dirname, "..", "..", "tsconfig.json"),
  });
}
require("./vector_worker_main.ts");
