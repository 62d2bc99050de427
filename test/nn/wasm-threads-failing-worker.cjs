"use strict";
// A pthread worker script that fails as it starts, for the fallback test of test/nn/wasm-threads.test.ts.
throw new Error("this worker script fails on purpose");
