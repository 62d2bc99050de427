// Every built-in env family, registered once. Each family's file exports a `registerXxx` function.
import { listEnvs } from "../src/core";
import { registerCartPole } from "./cartpole";
import { registerCartPolePixels } from "./cartpole_pixels";
import { registerGridworlds } from "./gridworld";
import { registerMemoryTasks } from "./memory";

let registered = false;

/** Registers every built-in env (idempotent; `src/index.ts` calls it on import). */
export function registerBuiltinEnvs(): void {
  if (registered || listEnvs().some((s) => s.id === "CartPole-v1")) return;
  registered = true;
  registerCartPole();
  registerCartPolePixels();
  registerGridworlds();
  registerMemoryTasks();
}
