// The worker's showcase: one env, apart from the training envs, played by an agent so that the page
// can draw it: by the agent being trained, between updates (sampling its actions as training does, from
// its own branch of the seed tree, so the run computes the same), or by an agent opened from a run folder
// (with `pomdp eval`'s seeds). Its pictures are the env's own render() and, for a gridworld, the
// egocentric view `pomdp record` draws (src/cli/record_frame.ts); for a recurrent agent, h of its
// memory core after each step.
import { makeAgentEnv } from "../agents/env_setup";
import { memoryOf } from "../agents/net_config";
import type { RecurrentState } from "../agents/recurrent_state";
import type { AgentNetwork } from "../agents/tower";
import { agentViewImage, scaleImage } from "../src/cli/record_frame";
import type { Env } from "../src/core";
import { deriveSeed, Rng } from "../src/core/rng";
import { CORE_LABELS } from "../src/nn/memory_core";
import type { VecNormalizer } from "../src/train/normalize";
import type { ShowcaseFrame } from "./protocol";

/** Widest picture posted to the page, in pixels (CartPole's 600 are halved). */
const MAX_PICTURE_WIDTH = 320;

/** The showcase's own branches of the run's seed tree (the training's streams are left alone). */
const SHOWCASE_STREAMS = { env: "web/showcase/env", actions: "web/showcase/actions" };

/** `pomdp eval`'s branches: the same seed plays the episodes `pomdp eval --seed` plays (agents/evaluate.ts). */
export const EVAL_STREAMS = { env: "eval/env", actions: "eval/actions" };

/** The config fields the showcase's env and memory label need. */
export type ShowcaseConfig = Parameters<typeof makeAgentEnv>[0] & {
  net: Parameters<typeof memoryOf>[0];
};

/** Whether `env` (just reset) draws a picture: render() exists and does not refuse. */
function drawsPictures(env: Env<unknown, number>): boolean {
  if (typeof env.render !== "function") return false;
  try {
    env.render();
    return true;
  } catch {
    return false;
  }
}

export class Showcase {
  private readonly env: Env<unknown, number>;
  private readonly rng: Rng;
  private readonly state: RecurrentState;
  private readonly starts = Uint8Array.of(1);
  private observation: ArrayLike<number>;
  private episodeStep = 0;
  private episodeReturn = 0;
  /** Whether the env draws pictures (TMaze, for one, has only a text picture). */
  private readonly draws: boolean;
  /** The memory strip's rows (recurrent agents). */
  readonly memory?: { towers: number; units: number; label: string };

  constructor(
    config: ShowcaseConfig,
    seed: number,
    net: AgentNetwork,
    /** Purposes of the env's seed and of the action stream in the seed tree (`pomdp eval`'s: eval/env, eval/actions). */
    streams: { env: string; actions: string } = SHOWCASE_STREAMS,
  ) {
    this.env = makeAgentEnv(config);
    this.rng = new Rng(deriveSeed(seed, streams.actions));
    this.observation = this.env.reset({ seed: deriveSeed(seed, streams.env) })
      .observation as ArrayLike<number>;
    this.draws = drawsPictures(this.env);
    this.state = net.initialState(1);
    const memory = memoryOf(config.net);
    if (net.recurrent && memory.kind !== "none") {
      const towers = this.state.towers;
      this.memory = {
        towers,
        units: this.state.hidden,
        label: `${net.towerNames.join(" / ")} ${CORE_LABELS[memory.kind]} h (${this.state.hidden} units${towers > 1 ? " each" : ""})`,
      };
    }
  }

  /** Plays `steps` steps with the agent as it is now (a new episode follows one that ended). */
  play(net: AgentNetwork, normalizer: VecNormalizer, steps: number): ShowcaseFrame[] {
    const frames: ShowcaseFrame[] = [];
    for (let i = 0; i < steps; i++) {
      const obs = normalizer.normalize(this.observation, 1);
      const { actions } = net.act(obs, 1, this.rng, this.state, this.starts);
      this.starts[0] = 0;
      const result = this.env.step(actions[0]);
      this.episodeStep++;
      this.episodeReturn += result.reward;
      const ended = result.terminated || result.truncated;
      frames.push(this.frame(ended));
      if (ended) {
        this.observation = this.env.reset().observation as ArrayLike<number>;
        this.starts[0] = 1;
        this.episodeStep = 0;
        this.episodeReturn = 0;
      } else this.observation = result.observation as ArrayLike<number>;
    }
    return frames;
  }

  private frame(episodeEnded: boolean): ShowcaseFrame {
    const memory = this.memory ? { hidden: this.state.h.slice() } : {};
    const counts = { episodeStep: this.episodeStep, episodeReturn: this.episodeReturn, episodeEnded };
    if (!this.draws) return { ...memory, ...counts };
    const full = this.env.render!();
    const picture = scaleImage(full, Math.min(1, MAX_PICTURE_WIDTH / full.width));
    const view = agentViewImage(this.env, picture.height);
    return {
      // (A copy: the env may draw its next picture into the same bytes, and these are transferred.)
      picture: {
        width: picture.width,
        height: picture.height,
        channels: 3,
        data: picture.data === full.data ? full.data.slice() : picture.data,
      },
      ...(view ? { view: { width: view.width, height: view.height, channels: 3, data: view.data } } : {}),
      ...memory,
      ...counts,
    };
  }

  close(): void {
    this.env.close();
  }
}
