// CartPole seen through a camera: CartPole-v1's dynamics, reward and termination, but the observation is
// a picture of the cart, drawn straight at the observation's size: 48 × 48 grey in the bold style by
// default (a thick white pole on black, anti-aliased: see cartpole_render.ts for why), or Gymnasium's
// own picture with style "gymnasium". One frame has no velocities, so the task is a POMDP:
// FrameStack(4) gives the classic CNN baseline.
import {
  Box,
  type Discrete,
  describeValue,
  Env,
  type EnvSpec,
  type Frame,
  type ResetArgs,
  type ResetResult,
  type Rng,
  register,
  requirePositiveInteger,
  type StepResult,
} from "../src/core";
import { CartPoleEnv } from "./cartpole";
import { type CartPoleStyle, drawCartPole, type PixelTarget } from "./cartpole_render";

/** Keyword arguments of `CartPolePixelsEnv`. */
export interface CartPolePixelsArgs {
  /** Observation width in pixels (default 48). */
  width?: number;
  /** Observation height in pixels (default 48). */
  height?: number;
  /** One luminance channel (default true) instead of RGB. */
  grayscale?: boolean;
  /**
   * "bold" (default): a white pole 3× Gymnasium's width and 2× its length and a grey cart on black,
   * anti-aliased, made to be seen at 48 × 48; "gymnasium": Gymnasium's picture, point-sampled.
   */
  style?: CartPoleStyle;
  /** Size of `render()` frames, as CartPole-v1's (default 600 × 400). */
  renderWidth?: number;
  /** See `renderWidth`. */
  renderHeight?: number;
}

/**
 * `CartPole-Pixels-v1`: CartPole-v1 (a `CartPoleEnv` inside does the physics, the reward and the flags)
 * observed as a `height × width × channels` uint8 image of the cart and pole; actions 0 = push left,
 * 1 = push right. `reset` takes CartPole's options (`state`, `low`, `high`). `render()` is CartPole's
 * full-size RGB picture.
 */
export class CartPolePixelsEnv extends Env<Uint8Array, number> {
  readonly observationSpace: Box<"uint8">;
  readonly actionSpace: Discrete;
  /** CartPole's action names. */
  readonly actionNames: readonly string[];
  /** The CartPole whose state is drawn. */
  readonly physics: CartPoleEnv;
  /** Where each observation is drawn before being copied out. */
  private readonly canvas: PixelTarget;
  private readonly style: CartPoleStyle;

  constructor(args: CartPolePixelsArgs = {}) {
    super();
    const width = requirePositiveInteger("CartPole-Pixels", "width", args.width ?? 48);
    const height = requirePositiveInteger("CartPole-Pixels", "height", args.height ?? 48);
    const grayscale = args.grayscale ?? true;
    if (typeof grayscale !== "boolean")
      throw new Error(`CartPole-Pixels: grayscale must be true or false, got ${describeValue(grayscale)}`);
    const style = args.style ?? "bold";
    if (style !== "bold" && style !== "gymnasium")
      throw new Error(`CartPole-Pixels: style must be "bold" or "gymnasium", got ${describeValue(style)}`);
    this.style = style;
    const channels = grayscale ? 1 : 3;
    this.physics = new CartPoleEnv({ renderWidth: args.renderWidth, renderHeight: args.renderHeight });
    this.actionSpace = this.physics.actionSpace;
    this.actionNames = this.physics.actionNames;
    this.observationSpace = new Box(0, 255, [height, width, channels], "uint8");
    this.canvas = { width, height, channels, data: new Uint8Array(width * height * channels) };
  }

  reset(args?: ResetArgs): ResetResult<Uint8Array> {
    const { info } = this.physics.reset(args);
    return { observation: this.draw(), info };
  }

  step(action: number): StepResult<Uint8Array> {
    const r = this.physics.step(action);
    return {
      observation: this.draw(),
      reward: r.reward,
      terminated: r.terminated,
      truncated: r.truncated,
      info: r.info,
    };
  }

  /** CartPole's RGB picture at `render()` size (600 × 400 unless set), not the observation's. */
  override render(): Frame {
    return this.physics.render();
  }

  /** The state is the physics' (the picture is drawn from it). */
  override getState(): unknown {
    return this.physics.getState();
  }

  override setState(state: unknown): void {
    this.physics.setState(state);
  }

  /** The randomness is the physics' (seeded by `reset`). */
  override get rng(): Rng {
    return this.physics.rng;
  }

  // The spec is shared with the physics so that its messages name this env's id.
  override get spec(): EnvSpec | undefined {
    return super.spec;
  }
  override set spec(value: EnvSpec | undefined) {
    super.spec = value;
    this.physics.spec = value;
  }

  /** Draws the current state into the canvas and returns a copy the caller may keep. */
  private draw(): Uint8Array {
    drawCartPole(this.physics.state[0], this.physics.state[2], this.canvas, this.style);
    return this.canvas.data.slice();
  }
}

/** Registers `CartPole-Pixels-v1` (500 steps, like CartPole-v1). */
export function registerCartPolePixels(): void {
  register("CartPole-Pixels-v1", (kw) => new CartPolePixelsEnv(kw), {
    maxEpisodeSteps: 500,
    rewardThreshold: 475,
    kwargs: { width: 48, height: 48, grayscale: true, style: "bold", renderWidth: 600, renderHeight: 400 },
    description:
      "CartPole-v1 observed as a 48×48 grey picture, a bold white pole on black (no velocities in one frame: a POMDP)",
  });
}
