// Which TF.js backend the page's worker trains on, and why. "wasm" computes what `pomdp train`
// computes (the same update lines for the same seed); "webgl" runs TF.js's kernels on the GPU (or on
// the browser's software GPU); "auto" times the run's own net on both where the browser has WebGL and
// takes the faster, so that a small MLP, which no GPU speeds up, stays on wasm.
import { initBrowserBackend } from "../src/nn/backend";
import type { PageBackendChoice, PageBackendName } from "../src/nn/backend_names";

/** The backend a run got, and why. */
export interface BackendChoice {
  backend: PageBackendName;
  /** One sentence for the page: what was asked, what was measured, what follows from it. */
  reason: string;
  /** The WebGL renderer (the GPU, or SwiftShader: a CPU emulating one), or null without WebGL. */
  renderer: string | null;
  /** Training steps/s of the run's net measured on each backend ("auto" with WebGL only). */
  measured?: { wasm: number; webgl: number | null };
}

/**
 * The WebGL 2 renderer a worker can draw with (TF.js's WebGL backend in a worker uses an
 * OffscreenCanvas), or null where there is none.
 */
export function webglRenderer(): string | null {
  if (typeof OffscreenCanvas === "undefined") return null;
  const gl = new OffscreenCanvas(1, 1).getContext("webgl2");
  if (gl === null) return null;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer =
    info === null ? gl.getParameter(gl.RENDERER) : gl.getParameter(info.UNMASKED_RENDERER_WEBGL);
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return String(renderer);
}

/** The software rasteriser a renderer string names (SwiftShader, llvmpipe), or null for a GPU. */
export function softwareRenderer(renderer: string): string | null {
  return /swiftshader|llvmpipe|softpipe/i.exec(renderer)?.[0] ?? null;
}

const fmt = (sps: number) => Math.round(sps).toLocaleString("en");

/**
 * Initialises the backend for a run. With "auto" and WebGL present, `measureSps` (a short training of
 * the run's own config, see web/worker.ts) runs once on each backend after it is initialised; its
 * figure decides. A WebGL failure while measuring falls back to wasm, with the failure as the reason.
 */
export async function chooseBackend(
  choice: PageBackendChoice,
  wasmPrefix: string,
  measureSps: () => Promise<number>,
): Promise<BackendChoice> {
  const renderer = webglRenderer();
  const software = renderer === null ? null : softwareRenderer(renderer);
  const gpu =
    renderer === null ? "" : software !== null ? ` (${software}: a CPU emulating a GPU)` : ` (${renderer})`;
  if (choice === "webgl") {
    if (renderer === null) {
      throw new Error("backend webgl was asked for, but this browser offers no WebGL 2 to a Web Worker");
    }
    const backend = await initBrowserBackend(wasmPrefix, "webgl");
    return {
      backend,
      renderer,
      reason: `WebGL, as asked${gpu}; its sums run in another order than pomdp train's, so its numbers differ from Node's in the last digits`,
    };
  }
  const wasm = await initBrowserBackend(wasmPrefix, "wasm");
  if (choice === "wasm") {
    return {
      backend: wasm,
      renderer,
      reason: "wasm, as asked: the same numbers as pomdp train for the same seed",
    };
  }
  if (renderer === null) {
    return { backend: wasm, renderer, reason: "wasm: this browser offers no WebGL 2 to a Web Worker" };
  }
  const wasmSps = await measureSps();
  let webglSps: number;
  try {
    await initBrowserBackend(wasmPrefix, "webgl");
    webglSps = await measureSps();
  } catch (err) {
    await initBrowserBackend(wasmPrefix, "wasm");
    const why = err instanceof Error ? err.message : String(err);
    return {
      backend: "wasm",
      renderer,
      reason: `wasm: WebGL${gpu} failed on this net (${why})`,
      measured: { wasm: wasmSps, webgl: null },
    };
  }
  const measured = { wasm: wasmSps, webgl: webglSps };
  const figures = `this net trained at ${fmt(wasmSps)} steps/s on wasm and ${fmt(webglSps)} on WebGL${gpu}`;
  if (webglSps > wasmSps) {
    return { backend: "webgl", renderer, measured, reason: `WebGL: ${figures}` };
  }
  await initBrowserBackend(wasmPrefix, "wasm");
  return {
    backend: "wasm",
    renderer,
    measured,
    reason: `wasm: ${figures}; wasm also gives pomdp train's numbers for the same seed`,
  };
}
