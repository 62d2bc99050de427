// CartPole-v1 exactly as Gymnasium's (classic_control/cartpole.py): same constants, the same float64
// Euler arithmetic in the same order, float32 observations — plus its partially observed variants.
import {
  Box,
  beforeResetError,
  checkOptionKeys,
  checkResetArgs,
  checkStateObject,
  Discrete,
  describeValue,
  Env,
  type Frame,
  invalidActionMessage,
  type ResetArgs,
  type ResetResult,
  type RngState,
  register,
  requirePositiveInteger,
  type StepResult,
  warn,
} from "../src/core";
import { FlickerObservation, MaskObservation, ObservationNoise } from "../src/wrappers";
import { cartPoleText, drawCartPole } from "./cartpole_render";

/** Keyword arguments of `CartPoleEnv`. */
export interface CartPoleArgs {
  /** Sutton & Barto's reward: 0 per step and -1 on termination, instead of +1 per step. */
  suttonBartoReward?: boolean;
  /** Width of `render()` frames in pixels (Gymnasium: 600). */
  renderWidth?: number;
  /** Height of `render()` frames in pixels (Gymnasium: 400). */
  renderHeight?: number;
}

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const LENGTH = 0.5; // half the pole's length
const POLE_MASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02; // seconds between state updates
/** Angle at which the episode terminates: 12 degrees. */
export const THETA_THRESHOLD_RADIANS = (12 * 2 * Math.PI) / 360;
/** Cart position at which the episode terminates. */
export const X_THRESHOLD = 2.4;

/**
 * A pole hinged on a cart that moves along a frictionless track (Barto, Sutton & Anderson 1983).
 * Observation `[x, x_dot, theta, theta_dot]` (float32); actions 0 = push left, 1 = push right;
 * reward +1 for every step, including the one that terminates; terminated when |x| > 2.4 m or
 * |theta| > 12°. `make("CartPole-v1")` truncates at 500 steps.
 *
 * `reset` options: `{ state: [x, x_dot, theta, theta_dot] }` starts from exactly that state;
 * `{ low, high }` change the uniform initial range (default [-0.05, 0.05]).
 */
export class CartPoleEnv extends Env<Float32Array, number> {
  readonly observationSpace: Box<"float32">;
  readonly actionSpace = new Discrete(2);
  /** The actions' names by index (the direction the cart is pushed), for captions such as `pomdp record`'s. */
  readonly actionNames: readonly string[] = ["left", "right"];
  /** The physical state `[x, x_dot, theta, theta_dot]`, in float64 as Gymnasium keeps it. */
  readonly state = new Float64Array(4);
  private readonly suttonBartoReward: boolean;
  private readonly renderWidth: number;
  private readonly renderHeight: number;
  private hasState = false;
  /** null while the episode runs; then the number of steps taken after termination. */
  private stepsBeyondTerminated: number | null = null;

  constructor(args: CartPoleArgs = {}) {
    super();
    this.suttonBartoReward = args.suttonBartoReward ?? false;
    this.renderWidth = requirePositiveInteger("CartPole", "renderWidth", args.renderWidth ?? 600);
    this.renderHeight = requirePositiveInteger("CartPole", "renderHeight", args.renderHeight ?? 400);
    const f32max = 3.4028234663852886e38;
    const high = [X_THRESHOLD * 2, f32max, THETA_THRESHOLD_RADIANS * 2, f32max].map(Math.fround);
    this.observationSpace = new Box(
      high.map((h) => -h),
      high,
      [4],
      "float32",
    );
  }

  reset(args?: ResetArgs): ResetResult<Float32Array> {
    checkResetArgs(this.name, args);
    const options = args?.options ?? {};
    checkOptionKeys(this.name, options, ["state", "low", "high"]);
    const state = options.state === undefined ? undefined : this.parseState(options.state);
    const [low, high] = this.parseBounds(options);
    this.seedRng(args?.seed);
    if (state) this.state.set(state);
    else for (let i = 0; i < 4; i++) this.state[i] = this.rng.uniform(low, high);
    this.hasState = true;
    this.stepsBeyondTerminated = null;
    return { observation: Float32Array.from(this.state), info: {} };
  }

  step(action: number): StepResult<Float32Array> {
    if (action !== 0 && action !== 1)
      throw new Error(invalidActionMessage(this.name, this.actionSpace, action));
    if (!this.hasState) throw beforeResetError(this.name, "step()");
    const s = this.state;
    let x = s[0];
    let xDot = s[1];
    let theta = s[2];
    let thetaDot = s[3];
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * (thetaDot * thetaDot) * sinTheta) / TOTAL_MASS;
    const thetaAcc =
      (GRAVITY * sinTheta - cosTheta * temp) /
      (LENGTH * (4.0 / 3.0 - (MASS_POLE * (cosTheta * cosTheta)) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
    x = x + TAU * xDot;
    xDot = xDot + TAU * xAcc;
    theta = theta + TAU * thetaDot;
    thetaDot = thetaDot + TAU * thetaAcc;
    s[0] = x;
    s[1] = xDot;
    s[2] = theta;
    s[3] = thetaDot;

    const terminated =
      x < -X_THRESHOLD ||
      x > X_THRESHOLD ||
      theta < -THETA_THRESHOLD_RADIANS ||
      theta > THETA_THRESHOLD_RADIANS;
    let reward: number;
    if (!terminated) {
      reward = this.suttonBartoReward ? 0.0 : 1.0;
    } else if (this.stepsBeyondTerminated === null) {
      this.stepsBeyondTerminated = 0; // the pole just fell
      reward = this.suttonBartoReward ? -1.0 : 1.0;
    } else {
      if (this.stepsBeyondTerminated === 0) {
        warn(
          `${this.name}: step() called after the episode terminated; call reset() once terminated is true ` +
            "(any further steps are undefined behaviour)",
        );
      }
      this.stepsBeyondTerminated++;
      reward = this.suttonBartoReward ? -1.0 : 0.0;
    }
    const observation = new Float32Array(4);
    observation[0] = x;
    observation[1] = xDot;
    observation[2] = theta;
    observation[3] = thetaDot;
    return { observation, reward, terminated, truncated: false, info: EMPTY_INFO };
  }

  /** The physical state, the episode flags and the generator (the state protocol of `Env`). */
  override getState(): unknown {
    return {
      state: Array.from(this.state),
      hasState: this.hasState,
      stepsBeyondTerminated: this.stepsBeyondTerminated,
      rng: this.rngState(),
    };
  }

  override setState(state: unknown): void {
    const s = checkStateObject(this.name, state, ["state", "hasState", "stepsBeyondTerminated", "rng"]);
    const physics = this.parseState(s.state);
    const beyond = s.stepsBeyondTerminated;
    if (beyond !== null && !(typeof beyond === "number" && Number.isInteger(beyond) && beyond >= 0)) {
      throw new Error(
        `${this.name}: setState() got stepsBeyondTerminated ${describeValue(beyond)}; expected null or an integer ≥ 0`,
      );
    }
    this.restoreRngState(s.rng as RngState | null);
    this.state.set(physics);
    this.hasState = s.hasState === true;
    this.stepsBeyondTerminated = beyond as number | null;
  }

  /** `pomdp play`'s keys: the arrows push the cart, one step of 0.02 s a press (a held key repeats). */
  readonly playKeys = {
    left: { action: 0, name: "push left" },
    right: { action: 1, name: "push right" },
  } as const;

  /** One line saying what `pomdp play`'s keys do. */
  readonly playHelp =
    "keys: ← push left, → push right (one step of 0.02 s a press; hold a key to repeat), r reset, q quit";

  /** The cart and pole as text (see `cartPoleText`) and the physical state, for `pomdp play`. */
  renderText(): string {
    if (!this.hasState) return "(call reset() first)";
    const [x, xDot, theta, thetaDot] = this.state;
    const degrees = (theta * 180) / Math.PI;
    return [
      cartPoleText(x, theta),
      `x ${x.toFixed(3)} m, ẋ ${xDot.toFixed(3)} m/s, θ ${degrees.toFixed(2)}°, θ̇ ${thetaDot.toFixed(3)} rad/s (the episode ends at |x| > 2.4 m or |θ| > 12°)`,
    ].join("\n");
  }

  /** `pomdp play`'s picture: `renderText` and what the agent observes (a wrapper's observation, e.g. NoVel's [x, θ]). */
  renderPlay(observation: unknown): string {
    const seen =
      observation instanceof Float32Array
        ? `[${Array.from(observation, (v) => v.toFixed(3)).join(", ")}]`
        : ArrayBuffer.isView(observation)
          ? `a picture of ${(observation as Uint8Array).length} values`
          : String(observation);
    return [this.renderText(), "", `what the agent observes: ${seen}`].join("\n");
  }

  /** Gymnasium's picture of the cart and pole (600 × 400 by default), as RGB bytes. */
  override render(): Frame {
    if (!this.hasState) throw beforeResetError(this.name, "render()");
    const frame: Frame = {
      width: this.renderWidth,
      height: this.renderHeight,
      channels: 3,
      data: new Uint8Array(this.renderWidth * this.renderHeight * 3),
    };
    drawCartPole(this.state[0], this.state[2], frame);
    return frame;
  }

  private parseState(state: unknown): number[] {
    const values =
      Array.isArray(state) || ArrayBuffer.isView(state) ? Array.from(state as ArrayLike<number>) : undefined;
    if (values?.length !== 4 || values.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
      throw new Error(
        `${this.name}: reset() got options.state ${describeValue(state)}; expected 4 finite numbers [x, x_dot, theta, theta_dot]`,
      );
    }
    return values;
  }

  private parseBounds(options: Record<string, unknown>): [number, number] {
    const low = options.low ?? -0.05;
    const high = options.high ?? 0.05;
    for (const [name, v] of [
      ["low", low],
      ["high", high],
    ] as const) {
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new Error(
          `${this.name}: reset() got options.${name} ${describeValue(v)}; expected a finite number`,
        );
    }
    if ((low as number) > (high as number))
      throw new Error(
        `${this.name}: reset() got options.low ${low} > options.high ${high}; expected low ≤ high`,
      );
    return [low as number, high as number];
  }
}

const EMPTY_INFO = Object.freeze({}) as Record<string, unknown>;

/** Indices of CartPole's position observations `[x, theta]`: what the velocity-free variants keep. */
export const CARTPOLE_POSITIONS = [0, 2];

/** Registers CartPole-v1 and its partially observed variants. */
export function registerCartPole(): void {
  const renderKwargs = { renderWidth: 600, renderHeight: 400 };
  register("CartPole-v1", (kw) => new CartPoleEnv(kw), {
    maxEpisodeSteps: 500,
    rewardThreshold: 475,
    kwargs: { suttonBartoReward: false, ...renderKwargs },
    description: "Gymnasium's CartPole-v1: balance a pole on a cart (fully observed)",
  });
  register("CartPole-NoVel-v1", (kw) => new MaskObservation(new CartPoleEnv(kw), CARTPOLE_POSITIONS), {
    maxEpisodeSteps: 500,
    rewardThreshold: 475,
    kwargs: { ...renderKwargs },
    description: "CartPole observing only [x, theta]: velocities must be inferred from memory",
  });
  register(
    "CartPole-Noisy-v1",
    (kw) =>
      new ObservationNoise(
        new MaskObservation(new CartPoleEnv(kw), CARTPOLE_POSITIONS),
        kw.noiseStd as number,
      ),
    {
      maxEpisodeSteps: 500,
      rewardThreshold: 475,
      kwargs: { noiseStd: 0.1, ...renderKwargs },
      description: "CartPole observing [x, theta] plus Gaussian noise (noiseStd)",
    },
  );
  register(
    "CartPole-Flicker-v1",
    (kw) => new FlickerObservation(new CartPoleEnv(kw), kw.flickerProb as number),
    {
      maxEpisodeSteps: 500,
      rewardThreshold: 475,
      kwargs: { flickerProb: 0.5, ...renderKwargs },
      description: "CartPole whose observation is all zeros with probability flickerProb at each step",
    },
  );
}
