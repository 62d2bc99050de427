// The backend names on their own, without TF.js, so the CLI can check a --backend flag before loading it.

/** The TF.js backends the workbench can run on, fastest first. */
export const BACKEND_NAMES = ["tensorflow", "wasm", "cpu"] as const;

/** Name of a TF.js backend the workbench can run on. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Environment variable that forces a backend when no name is passed to `initBackend`. */
export const BACKEND_ENV_VAR = "POMDP_BACKEND";

/** Checks a backend name from a flag or the environment; an unknown one is an error naming the choices. */
export function parseBackendName(value: string, source = "backend"): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`unknown ${source} "${value}": choose one of ${BACKEND_NAMES.join(", ")}`);
}
