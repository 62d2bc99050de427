// net.memory / net.memorySize beside the net.lstm shorthand, and the flags --rnn, --gru, --lstm.
import { describe, expect, it } from "vitest";
import { memoryOf } from "../../agents/net_config";
import { resolveTraining, type TrainFlags } from "../../src/cli/train";
import { ConfigError } from "../../src/train/config";

const resolve = (flags: Partial<TrainFlags>) =>
  resolveTraining({ agent: "ppo", env: "CartPole-v1", seed: 1, ...flags } as TrainFlags);
const netOf = async (flags: Partial<TrainFlags>) =>
  (await resolve(flags)).config.net as Parameters<typeof memoryOf>[0] & { lstm: number };

describe("memory config", () => {
  it("--lstm H stays the shorthand: net.lstm H and no memory fields (config.json as before)", async () => {
    const net = await netOf({ lstm: 32 });
    expect(net.lstm).toBe(32);
    expect("memory" in net || "memorySize" in net).toBe(false);
    expect(memoryOf(net)).toEqual({ kind: "lstm", size: 32 });
    expect(memoryOf(await netOf({}))).toEqual({ kind: "none", size: 0 });
  });

  it("--gru H and --rnn H set net.memory and net.memorySize", async () => {
    const gru = await netOf({ gru: 24 });
    expect([gru.memory, gru.memorySize, gru.lstm]).toEqual(["gru", 24, 0]);
    expect(memoryOf(gru)).toEqual({ kind: "gru", size: 24 });
    expect(memoryOf(await netOf({ rnn: 8 }))).toEqual({ kind: "rnn", size: 8 });
    // The same through --set.
    expect(memoryOf(await netOf({ set: ["net.memory=rnn", "net.memorySize=5"] }))).toEqual({
      kind: "rnn",
      size: 5,
    });
    expect(memoryOf(await netOf({ set: ["net.memory=lstm", "net.memorySize=6"] }))).toEqual({
      kind: "lstm",
      size: 6,
    });
  });

  it("a recurrent preset is picked for any core, and the flag's core replaces its net.lstm", async () => {
    const r = await resolve({ env: "CartPole-NoVel-v1", gru: 16 });
    expect(r.preset?.name).toBe("ppo-lstm-cartpole-novel");
    const net = r.config.net as Parameters<typeof memoryOf>[0];
    expect(memoryOf(net)).toEqual({ kind: "gru", size: 16 });
    const tmaze = await resolve({ env: "TMaze-v0", rnn: 12 });
    expect(tmaze.preset?.name).toBe("ppo-lstm-tmaze");
    expect(memoryOf(tmaze.config.net as object)).toEqual({ kind: "rnn", size: 12 });
    // No memory: no recurrent preset.
    await expect(resolve({ env: "TMaze-v0" })).resolves.toMatchObject({ preset: undefined });
  });

  it("DRQN: an LSTM of 64 by default, any core with --rnn/--gru, never none", async () => {
    const drqn = (flags: Partial<TrainFlags>) => resolve({ agent: "drqn", ...flags });
    const plain = (await drqn({})).config.net as Parameters<typeof memoryOf>[0];
    expect(plain.lstm).toBe(64);
    expect("memory" in plain).toBe(false);
    expect(memoryOf((await drqn({ gru: 32 })).config.net as object)).toEqual({ kind: "gru", size: 32 });
    await expect(drqn({ set: ["net.memory=none"] })).rejects.toThrow(
      'drqn config: field "net.memory": DRQN needs a memory core: net.memory "rnn", "gru" or "lstm" with net.memorySize, or net.lstm ≥ 1, got "none"',
    );
  });

  it("conflicting or incomplete memory fields are refused naming the fields", async () => {
    const cases: [Partial<TrainFlags>, string][] = [
      [
        { set: ["net.memory=gru", "net.memorySize=16", "net.lstm=64"] },
        'ppo config: field "net.lstm": net.lstm 64 (shorthand for net.memory "lstm" with net.memorySize 64) conflicts with net.memory "gru" with net.memorySize 16; give net.lstm or net.memory/net.memorySize, got 64',
      ],
      [
        { set: ["net.memory=lstm", "net.memorySize=16", "net.lstm=64"] },
        'ppo config: field "net.lstm": net.lstm 64 (shorthand for net.memory "lstm" with net.memorySize 64) conflicts with net.memory "lstm" with net.memorySize 16; give net.lstm or net.memory/net.memorySize, got 64',
      ],
      [
        { set: ["net.memory=gru"] },
        'ppo config: field "net.memory": net.memory "gru" needs net.memorySize (the width H of its state, an integer ≥ 1), got "gru"',
      ],
      [
        { set: ["net.memorySize=8"] },
        'ppo config: field "net.memorySize": net.memorySize needs net.memory "rnn", "gru" or "lstm" (net.memory is absent), got 8',
      ],
      [
        { set: ["net.memory=cnn", "net.memorySize=8"] },
        'ppo config: field "net.memory": expected one of "none", "rnn", "gru", "lstm", got "cnn"',
      ],
    ];
    for (const [flags, message] of cases) {
      await expect(resolve(flags)).rejects.toThrow(ConfigError);
      await expect(resolve(flags)).rejects.toThrow(message);
    }
    // Consistent: net.lstm equal to net.memorySize with memory "lstm" is fine.
    expect(memoryOf(await netOf({ set: ["net.memory=lstm", "net.memorySize=16", "net.lstm=16"] }))).toEqual({
      kind: "lstm",
      size: 16,
    });
    expect(() => resolve({ gru: 8, lstm: 8 })).toThrow(
      "--lstm and --gru: give one memory flag (--rnn, --gru or --lstm), not 2",
    );
  });
});
