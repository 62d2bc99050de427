/**
 * Kernel patches for the tfjs wasm backend (missing gradient kernels).
 * Implementations land in sibling files; this entry point stays stable.
 */

let registered = false;

/**
 * Registers every wasm kernel patch. Idempotent; call after
 * `await tf.setBackend('wasm'); await tf.ready()`. Safe under any backend:
 * kernels are registered for 'wasm' only.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
}
