// What the page's network choice adds to a run's config, as the flags of `pomdp train` do:
// `--frame-stack 4`, `--lstm 64`, `--gru 64` (src/cli/train.ts runConfigRequest). Shared by the
// worker, which resolves the config, and the tests, which resolve the same one in Node.
import type { JsonObject } from "../src/train/config";
import type { RunConfigRequest } from "../src/train/resolve";

/** The networks the page offers. */
export const NETWORK_CHOICES = {
  mlp: { label: "PPO, MLP (no memory)", fields: {} },
  "frame-stack": { label: "PPO + FrameStack 4", fields: { frameStack: 4 } },
  lstm: { label: "recurrent PPO, LSTM 64", fields: { net: { lstm: 64 } } },
  gru: { label: "recurrent PPO, GRU 64", fields: { net: { memory: "gru", memorySize: 64 } } },
} as const satisfies Record<string, { label: string; fields: JsonObject }>;

export type NetworkChoice = keyof typeof NETWORK_CHOICES;

/** Whether `name` is one of {@link NETWORK_CHOICES}. */
export function isNetworkChoice(name: string): name is NetworkChoice {
  return Object.hasOwn(NETWORK_CHOICES, name);
}

/**
 * The run config request of the page's choice, as `pomdp train --env <env> [--preset <p>] [--lstm 64 …]`
 * makes it; with `edited`, the config shown on the page as the user left it, validated over the plain
 * defaults (`--preset none --config edited.json`).
 */
export function pageRunRequest(
  choice: { env: string; preset: string; network: string },
  edited?: unknown,
): RunConfigRequest {
  if (!isNetworkChoice(choice.network)) {
    throw new Error(
      `network "${choice.network}": expected one of ${Object.keys(NETWORK_CHOICES).join(", ")}`,
    );
  }
  if (edited !== undefined) {
    if (edited === null || typeof edited !== "object" || Array.isArray(edited)) {
      throw new Error(`config: expected a JSON object, got ${JSON.stringify(edited)}`);
    }
    return { agent: "ppo", envId: choice.env, preset: "none", fields: edited as JsonObject };
  }
  return {
    agent: "ppo",
    envId: choice.env,
    preset: choice.preset === "auto" ? undefined : choice.preset,
    fields: structuredClone(NETWORK_CHOICES[choice.network].fields) as JsonObject,
  };
}
