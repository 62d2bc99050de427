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

/** The backends the browser page runs on (web/): tfjs-backend-wasm, or TF.js's WebGL backend. */
export type PageBackendName = "wasm" | "webgl";

/** The page's backend choices: "auto" measures the run's net on both where WebGL exists. */
export const PAGE_BACKEND_CHOICES = ["auto", "wasm", "webgl"] as const;

/** A choice of the page's backend. */
export type PageBackendChoice = (typeof PAGE_BACKEND_CHOICES)[number];

/** Checks a backend choice from the page; an unknown one is an error naming the choices. */
export function parsePageBackendChoice(value: string): PageBackendChoice {
  if ((PAGE_BACKEND_CHOICES as readonly string[]).includes(value)) return value as PageBackendChoice;
  throw new Error(`unknown backend "${value}": choose one of ${PAGE_BACKEND_CHOICES.join(", ")}`);
}
