import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { Logger } from "pino";
import { BACKEND_ENV_VAR, BACKEND_NAMES, type BackendName, parseBackendName } from "./backend_names";
import { registerWasmKernels } from "./kernels";
import { nnLogger } from "./log";

export { BACKEND_ENV_VAR, BACKEND_NAMES, type BackendName, parseBackendName };

let chosen: BackendName | null = null;

/** Loads tfjs-node (an optional dependency whose install fails without internet); throws if absent. */
function loadTensorflowBinding(): void {
  // A plain require so that a missing optional package is a catchable error, not a load-time failure.
  require("@tensorflow/tfjs-node");
  if (!tf.findBackendFactory("tensorflow")) {
    throw new Error("@tensorflow/tfjs-node loaded but registered no 'tensorflow' backend");
  }
}

async function activate(name: BackendName): Promise<void> {
  if (name === "tensorflow") loadTensorflowBinding();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`TF.js backend '${name}' failed to initialise`);
  await tf.ready();
  if (name === "wasm") registerWasmKernels();
}

/**
 * Chooses and initialises the TF.js backend; the one place that does. Order of precedence: the `name`
 * argument (the CLI's `--backend`), then `POMDP_BACKEND`, then the first of tensorflow (tfjs-node), wasm,
 * cpu that initialises. A forced backend that fails is an error; the choice is logged and returned (record
 * it in the run's config) and {@link currentBackend} reports it afterwards.
 */
export async function initBackend(name?: string, logger: Logger = nnLogger): Promise<BackendName> {
  const envValue = process.env[BACKEND_ENV_VAR];
  let forced: BackendName | undefined;
  let source = "auto";
  if (name !== undefined) {
    forced = parseBackendName(name, "backend");
    source = "argument";
  } else if (envValue !== undefined && envValue !== "") {
    forced = parseBackendName(envValue, `${BACKEND_ENV_VAR} value`);
    source = BACKEND_ENV_VAR;
  }
  if (forced !== undefined) {
    try {
      await activate(forced);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`backend '${forced}' (from ${source}) could not be initialised: ${reason}`);
    }
    chosen = forced;
  } else {
    const failures: string[] = [];
    for (const candidate of BACKEND_NAMES) {
      try {
        await activate(candidate);
        chosen = candidate;
        break;
      } catch (err) {
        failures.push(`${candidate}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      }
    }
    if (chosen === null) throw new Error(`no TF.js backend could be initialised (${failures.join("; ")})`);
    if (failures.length > 0) logger.debug({ failures }, "backends skipped");
  }
  logger.info({ backend: chosen, source }, `TF.js backend: ${chosen}`);
  return chosen;
}

/** The backend chosen by the last {@link initBackend}, or null before it ran. */
export function currentBackend(): BackendName | null {
  return chosen;
}

/**
 * The current backend; before {@link initBackend} ran, an error naming `owner` (the block being built),
 * rather than TF.js silently picking a backend of its own or failing obscurely. Every block calls it first.
 */
export function requireBackend(owner: string): BackendName {
  if (chosen === null) {
    throw new Error(
      `${owner}: no TF.js backend yet; call \`await initBackend()\` (from src/nn) before building networks`,
    );
  }
  return chosen;
}
