import { Box, Discrete, type Env, type ResetArgs, type ResetResult, type StepResult, Wrapper } from "../core";

/**
 * Appends the previous action (one-hot) and the previous reward to a float32 observation, as
 * POPGym does: `[...observation, onehot(a_{t-1}) × n, r_{t-1}]`, zeros at the start of an episode.
 * A recurrent agent then knows what it did, which many POMDPs need to infer the hidden state (in a
 * gridworld, which way it turned). An observation of any shape is flattened first (row-major).
 */
export class PreviousAction extends Wrapper<Float32Array, number> {
  private readonly obsSize: number;
  private readonly numActions: number;

  constructor(env: Env<Float32Array, number>) {
    super(env);
    const obs = env.observationSpace;
    const act = env.actionSpace;
    if (!(obs instanceof Box) || obs.dtype !== "float32") {
      throw new Error(`PreviousAction(${env.name}): expected a float32 Box observation space, got ${obs}`);
    }
    if (!(act instanceof Discrete))
      throw new Error(`PreviousAction(${env.name}): expected a Discrete action space, got ${act}`);
    this.obsSize = obs.size;
    this.numActions = act.n;
    const size = obs.size + act.n + 1;
    const low = [...obs.low, ...new Array(act.n).fill(0), -Infinity];
    const high = [...obs.high, ...new Array(act.n).fill(1), Infinity];
    this.observationSpace = new Box(low, high, [size], "float32");
  }

  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  override reset(args?: ResetArgs): ResetResult<Float32Array> {
    const { observation, info } = this.env.reset(args);
    return { observation: this.extend(observation, -1, 0), info };
  }

  override step(action: number): StepResult<Float32Array> {
    const r = this.env.step(action);
    const start = (this.env.actionSpace as Discrete).start;
    return { ...r, observation: this.extend(r.observation, action - start, r.reward) };
  }

  private extend(observation: Float32Array, actionIndex: number, reward: number): Float32Array {
    const out = new Float32Array(this.obsSize + this.numActions + 1);
    out.set(observation);
    if (actionIndex >= 0) out[this.obsSize + actionIndex] = 1;
    out[this.obsSize + this.numActions] = reward;
    return out;
  }
}
