"use strict";
// A row-thread worker script that fails as it starts, for the fallback test of test/nn/row_threads.test.ts.
throw new Error("this worker script fails on purpose");
