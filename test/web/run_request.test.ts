// The page's agent and network choices (web/run_request.ts) as `pomdp train`'s flags: DQN with memory
// is DRQN, the runs' labels, and the messages for an unknown choice.
import { describe, expect, it } from "vitest";
import { AGENT_CATALOG } from "../../agents/catalog";
import { resolveRunConfig } from "../../src/train/resolve";
import { pageRunRequest, runAgent, runLabel } from "../../web/run_request";

describe("the page's run choices", () => {
  it("runs DQN with a memory network as DRQN, as pomdp train --agent drqn --lstm 64", async () => {
    expect(runAgent({ agent: "dqn", network: "mlp" })).toBe("dqn");
    expect(runAgent({ agent: "dqn", network: "lstm" })).toBe("drqn");
    expect(runAgent({ agent: "dqn", network: "gru" })).toBe("drqn");
    expect(runAgent({ agent: "a2c", network: "lstm" })).toBe("a2c");
    const drqn = await resolveRunConfig(
      pageRunRequest({ env: "CartPole-NoVel-v1", preset: "auto", agent: "dqn", network: "lstm" }),
      AGENT_CATALOG,
    );
    const cli = await resolveRunConfig(
      { agent: "drqn", envId: "CartPole-NoVel-v1", fields: { net: { lstm: 64 } } },
      AGENT_CATALOG,
    );
    expect(drqn.agent.name).toBe("drqn");
    expect(drqn.preset?.name).toBe(cli.preset?.name);
    expect(drqn.config).toEqual(cli.config);
  });

  it("labels runs by agent and network", () => {
    expect(runLabel({ agent: "ppo", network: "mlp" })).toBe("PPO, MLP (no memory)");
    expect(runLabel({ agent: "ppo", network: "lstm" })).toBe("recurrent PPO, LSTM 64");
    expect(runLabel({ agent: "a2c", network: "frame-stack" })).toBe("A2C, MLP + FrameStack 4");
    expect(runLabel({ agent: "dqn", network: "mlp" })).toBe("DQN, MLP (no memory)");
    expect(runLabel({ agent: "dqn", network: "gru" })).toBe("DRQN, GRU 64");
  });

  it("names an unknown agent or network and the choices", () => {
    expect(() => runAgent({ agent: "sac", network: "mlp" })).toThrow(
      'agent "sac": expected one of ppo, a2c, dqn',
    );
    expect(() => runLabel({ agent: "ppo", network: "transformer" })).toThrow(
      'network "transformer": expected one of mlp, frame-stack, lstm, gru',
    );
  });
});
