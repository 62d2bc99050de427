import { describe, expect, it } from "vitest";
import { AGENTS } from "../../agents/index";
import { findPreset, PRESETS, presetByName } from "../../agents/presets";
import { resolveTraining } from "../../src/cli/train";
import { validateConfig } from "../../src/train/config";

describe("presets", () => {
  it("every preset is a valid config of its agent, for a registered env", () => {
    for (const preset of PRESETS) {
      const agent = AGENTS[preset.agent];
      expect(agent, preset.name).toBeDefined();
      expect(() => validateConfig(agent.schema, preset.config, preset.agent)).not.toThrow();
    }
    expect(new Set(PRESETS.map((p) => p.name)).size).toBe(PRESETS.length);
  });

  it("is picked by agent, env and memory: the recurrent preset only with an LSTM", () => {
    expect(findPreset("ppo", "CartPole-v1", false)?.name).toBe("ppo-cartpole");
    expect(findPreset("ppo", "CartPole-v1", true)?.name).toBe("ppo-cartpole");
    expect(findPreset("ppo", "CartPole-NoVel-v1", true)?.name).toBe("ppo-lstm-cartpole-novel");
    expect(findPreset("ppo", "CartPole-NoVel-v1", false)).toBeUndefined();
    expect(findPreset("ppo", "TMaze-v0", true)?.name).toBe("ppo-lstm-tmaze");
    expect(findPreset("ppo", "PixelTMaze-v0", false)?.name).toBe("ppo-cnn-pixel-tmaze");
    expect(findPreset("ppo", "PixelTMaze-v0", true)?.name).toBe("ppo-cnn-lstm-pixel-tmaze");
    expect(findPreset("a2c", "CartPole-v1", false)?.name).toBe("a2c-cartpole");
    // Memory maps: one preset for memoryless and recurrent networks alike, so that only memory differs.
    for (const size of [7, 11, 13]) {
      for (const recurrent of [false, true])
        expect(findPreset("ppo", `MiniGrid-MemoryS${size}-v0`, recurrent)?.name).toBe(
          `ppo-minigrid-memory-s${size}`,
        );
    }
    expect(() => presetByName("nope")).toThrow(
      '--preset "nope": no such preset; expected none or one of ppo-cartpole',
    );
  });

  it("layers defaults < preset < --config < flags < --set", async () => {
    const { preset, config } = await resolveTraining({
      env: "CartPole-NoVel-v1",
      agent: "ppo",
      lstm: 16,
      steps: 1000,
      seed: 1,
      set: ["net.hidden=[8]", "updateEpochs=3"],
    });
    expect(preset?.name).toBe("ppo-lstm-cartpole-novel");
    expect(config).toMatchObject({
      totalSteps: 1000, // flag
      numEnvs: 8, // preset
      updateEpochs: 3, // --set over the preset's 20
      clipCoef: 0.2, // default
      net: { lstm: 16, hidden: [8], sharedEncoder: false },
    });
    expect(
      (await resolveTraining({ env: "CartPole-NoVel-v1", agent: "ppo", lstm: 16, seed: 1, preset: "none" }))
        .config,
    ).toMatchObject({
      numEnvs: 4,
      updateEpochs: 4,
    });
  });
});
