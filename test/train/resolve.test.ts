// A run's config, resolved in one place (src/train/resolve.ts): the same config for the same flags as
// before the resolution moved out of the CLI, and the same one-line errors. The expected configs and
// messages in fixtures/resolved-configs.json were made by `pomdp train`'s resolution as it was then
// (resolveTraining of src/cli/train.ts at commit 1ff8e38) from the flags beside them; `$PRETRAINED`
// and the other `$…` stand for the files this test writes. Changed since, on purpose (issue 18): a
// `cnn` net shares one torso by default and `--encoder-from` sets `net.latentNorm` from the folder;
// the list of presets has the pixel ones; every config has the periodic evaluation's fields (issue 22:
// evalEvery 0, evalEpisodes 10, evalGreedy false); PPO's have the entropy schedule's entCoefEnd (null).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AGENT_CATALOG, resolveRunConfig } from "../../agents/index";
import { type AgentCatalog, resolveRunConfig as resolveFromLibrary } from "../../src";
import { resolveTraining, runConfigRequest, type TrainFlags } from "../../src/cli/train";
import { ConfigError } from "../../src/train/config";
import expected from "./fixtures/resolved-configs.json";

/** What autoencoder.json of a `pomdp pretrain-ae` folder for MiniGrid-Empty-5x5-v0 with a 16-unit latent holds. */
const PRETRAINED_META = {
  format: "pomdp-autoencoder",
  version: 1,
  envId: "MiniGrid-Empty-5x5-v0",
  envKwargs: {},
  frameStack: 0,
  observationShape: [7, 7, 3],
  observationBytes: true,
  preset: "gridworld7",
  hidden: [16],
};

/** The files the flags name, written to a new folder; `$NAME` → its path. */
function writeFiles(): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "resolve-"));
  const files = {
    $PRETRAINED: path.join(dir, "ae"),
    $CONFIG: path.join(dir, "config.json"),
    $BAD_CONFIG: path.join(dir, "bad.json"),
    $MISSING_CONFIG: path.join(dir, "none.json"),
    $MISSING_DIR: path.join(dir, "none"),
  };
  fs.mkdirSync(files.$PRETRAINED);
  fs.writeFileSync(path.join(files.$PRETRAINED, "autoencoder.json"), JSON.stringify(PRETRAINED_META));
  fs.writeFileSync(
    files.$CONFIG,
    '{"gamma": 0.9, "numSteps": 64, "net": {"hidden": [32], "activation": "relu"}}',
  );
  fs.writeFileSync(files.$BAD_CONFIG, '{"gamma": \n');
  return files;
}

/** `value` with every `$NAME` of `files` replaced by its path. */
function substitute<T>(value: T, files: Record<string, string>): T {
  let text = JSON.stringify(value);
  // Longest names first: $MISSING_CONFIG before a shorter name it starts with.
  for (const name of Object.keys(files).sort((a, b) => b.length - a.length))
    text = text.split(name).join(files[name]);
  return JSON.parse(text);
}

interface Case {
  name: string;
  flags: TrainFlags;
  preset?: string | null;
  config?: Record<string, unknown>;
  error?: string;
}

describe("a run's config, resolved below the CLI", () => {
  const cases = expected as unknown as Case[];

  it("gives the config (and preset) it gave for each flag set, and the same error for each bad one", async () => {
    const files = writeFiles();
    expect(cases.filter((c) => c.error === undefined)).toHaveLength(10);
    for (const c of substitute(cases, files)) {
      const resolving = resolveTraining(c.flags);
      if (c.error !== undefined) {
        await expect(resolving, c.name).rejects.toThrow(c.error);
        continue;
      }
      const { preset, config } = await resolving;
      expect(preset?.name ?? null, c.name).toBe(c.preset);
      // The same fields in the same order: config.json is written from this object.
      expect(JSON.stringify(config), c.name).toBe(JSON.stringify(c.config));
    }
  }, 60_000);

  it("takes each layer over the one before: defaults < preset < --config < flags < --set", async () => {
    const files = writeFiles();
    const { preset, config } = await resolveRunConfig(
      {
        agent: "ppo",
        envId: "CartPole-NoVel-v1",
        configFile: files.$CONFIG, // gamma 0.9, numSteps 64, net.hidden [32], activation relu
        fields: { totalSteps: 1000, numSteps: 48, net: { lstm: 16, hidden: [24] } },
        sets: ["net.hidden=[8]"],
      },
      AGENT_CATALOG,
    );
    expect(preset?.name).toBe("ppo-lstm-cartpole-novel");
    expect(config).toMatchObject({
      clipCoef: 0.2, // default
      numEnvs: 8, // preset
      gamma: 0.9, // --config over the preset's 0.98
      numSteps: 48, // flag over --config
      totalSteps: 1000, // flag over the preset's 100000
      net: { lstm: 16, hidden: [8], activation: "relu" }, // --set over the flag, --config over the preset
    });
  });

  it("maps every flag that sets a config field to its field, and --encoder-from to the resolver's own", () => {
    const request = runConfigRequest({
      env: "MiniGrid-Empty-5x5-v0",
      agent: "a2c",
      seed: 3,
      net: "cnn",
      lstm: 8,
      aux: "ae",
      auxWeight: 0.5,
      auxDetach: true,
      freezeEncoder: true,
      encoderFrom: "ae-folder",
      frameStack: 2,
      prevAction: true,
      steps: 5000,
      envs: 2,
      config: "c.json",
      set: ["gamma=0.9"],
      preset: "none",
      envKwargs: { size: 5 },
    });
    expect(request).toEqual({
      agent: "a2c",
      envId: "MiniGrid-Empty-5x5-v0",
      envKwargs: { size: 5 },
      preset: "none",
      configFile: "c.json",
      fields: {
        net: { encoder: "cnn", lstm: 8, aux: "ae", auxWeight: 0.5, auxDetach: true, freezeEncoder: true },
        frameStack: 2,
        previousAction: true,
        totalSteps: 5000,
        numEnvs: 2,
      },
      sets: ["gamma=0.9"],
      encoderFrom: "ae-folder",
    });
  });

  it("resolves against any catalog: the library entry's resolver with agents of one's own", async () => {
    const catalog: AgentCatalog = {
      agents: [
        {
          name: "mine",
          description: "an agent of one's own",
          schema: AGENT_CATALOG.agents[0].schema,
          check: (config) => {
            if (config.numEnvs === 3) throw new ConfigError("mine config: three envs are unlucky");
          },
        },
      ],
      presets: [
        {
          name: "mine-cartpole",
          agent: "mine",
          envId: "CartPole-v1",
          memory: "any",
          source: "",
          config: { numEnvs: 2 },
        },
      ],
      pretrainedEncoder: AGENT_CATALOG.pretrainedEncoder,
      readCheckpoint: AGENT_CATALOG.readCheckpoint,
    };
    const { agent, preset, config } = await resolveFromLibrary(
      { agent: "mine", envId: "CartPole-v1" },
      catalog,
    );
    expect([agent.name, preset?.name, config.numEnvs]).toEqual(["mine", "mine-cartpole", 2]);
    await expect(resolveFromLibrary({ agent: "ppo", envId: "CartPole-v1" }, catalog)).rejects.toThrow(
      '--agent "ppo": unknown agent; expected one of mine',
    );
    await expect(
      resolveFromLibrary({ agent: "mine", envId: "CartPole-v1", sets: ["numEnvs=3"] }, catalog),
    ).rejects.toThrow("mine config: three envs are unlucky");
  });
});
