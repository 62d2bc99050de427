// What the page's agent and network choices add to a run's config, as the flags of `pomdp train` do:
// `--agent ppo|a2c|dqn` (DQN with a memory core is DRQN: `--agent drqn`) and `--frame-stack 4`,
// `--lstm 64`, `--gru 64` (src/cli/train.ts runConfigRequest). Shared by the worker, which resolves the
// config, the views, which label the runs, and the tests, which resolve the same one in Node.
import type { JsonObject } from "../src/train/config";
import type { RunConfigRequest } from "../src/train/resolve";

/** The agents the page offers (DQN with an LSTM or GRU trains as DRQN). */
export const AGENT_CHOICES = {
  ppo: { label: "PPO" },
  a2c: { label: "A2C" },
  dqn: { label: "DQN (DRQN with memory)" },
} as const;

export type AgentChoice = keyof typeof AGENT_CHOICES;

/** The networks the page offers. */
export const NETWORK_CHOICES = {
  mlp: { label: "MLP (no memory)", fields: {}, memory: false },
  "frame-stack": { label: "MLP + FrameStack 4", fields: { frameStack: 4 }, memory: false },
  lstm: { label: "LSTM 64", fields: { net: { lstm: 64 } }, memory: true },
  gru: { label: "GRU 64", fields: { net: { memory: "gru", memorySize: 64 } }, memory: true },
} as const satisfies Record<string, { label: string; fields: JsonObject; memory: boolean }>;

export type NetworkChoice = keyof typeof NETWORK_CHOICES;

/** Whether `name` is one of {@link NETWORK_CHOICES}. */
export function isNetworkChoice(name: string): name is NetworkChoice {
  return Object.hasOwn(NETWORK_CHOICES, name);
}

/** Whether `name` is one of {@link AGENT_CHOICES}. */
export function isAgentChoice(name: string): name is AgentChoice {
  return Object.hasOwn(AGENT_CHOICES, name);
}

function checkChoice(choice: { agent: string; network: string }): {
  agent: AgentChoice;
  network: NetworkChoice;
} {
  if (!isAgentChoice(choice.agent)) {
    throw new Error(`agent "${choice.agent}": expected one of ${Object.keys(AGENT_CHOICES).join(", ")}`);
  }
  if (!isNetworkChoice(choice.network)) {
    throw new Error(
      `network "${choice.network}": expected one of ${Object.keys(NETWORK_CHOICES).join(", ")}`,
    );
  }
  return { agent: choice.agent, network: choice.network };
}

/** The agent `pomdp train --agent` runs for a choice: DQN with a memory network is `drqn`. */
export function runAgent(choice: { agent: string; network: string }): "ppo" | "a2c" | "dqn" | "drqn" {
  const { agent, network } = checkChoice(choice);
  return agent === "dqn" && NETWORK_CHOICES[network].memory ? "drqn" : agent;
}

/** A run's name on the page: "PPO, MLP (no memory)", "recurrent PPO, LSTM 64", "DRQN, GRU 64". */
export function runLabel(choice: { agent: string; network: string }): string {
  const { agent, network } = checkChoice(choice);
  const memory = NETWORK_CHOICES[network].memory;
  const name =
    agent === "dqn" ? (memory ? "DRQN" : "DQN") : `${memory ? "recurrent " : ""}${agent.toUpperCase()}`;
  return `${name}, ${NETWORK_CHOICES[network].label}`;
}

/**
 * The run config request of the page's choice, as `pomdp train --agent <a> --env <env> [--preset <p>]
 * [--lstm 64 …]` makes it; with `edited`, the config shown on the page as the user left it, validated
 * over the plain defaults (`--preset none --config edited.json`).
 */
export function pageRunRequest(
  choice: { env: string; preset: string; network: string; agent: string },
  edited?: unknown,
): RunConfigRequest {
  const agent = runAgent(choice);
  if (edited !== undefined) {
    if (edited === null || typeof edited !== "object" || Array.isArray(edited)) {
      throw new Error(`config: expected a JSON object, got ${JSON.stringify(edited)}`);
    }
    return { agent, envId: choice.env, preset: "none", fields: edited as JsonObject };
  }
  return {
    agent,
    envId: choice.env,
    preset: choice.preset === "auto" ? undefined : choice.preset,
    fields: structuredClone(NETWORK_CHOICES[choice.network as NetworkChoice].fields) as JsonObject,
  };
}
