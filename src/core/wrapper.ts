import {
  checkStateObject,
  Env,
  type EnvSpec,
  type Frame,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from "./env";
import type { Space } from "./spaces";

/**
 * Wraps an env to change its behaviour while leaving the rest as it was (Gymnasium's `Wrapper`):
 * every member not overridden passes through to the inner env. `WO`/`WA` are the observation and
 * action types the wrapper exposes; `O`/`A` those of the wrapped env.
 */
export class Wrapper<O = unknown, A = unknown, WO = O, WA = A> extends Env<WO, WA> {
  observationSpace: Space<WO>;
  actionSpace: Space<WA>;

  constructor(
    /** The wrapped env. */
    readonly env: Env<O, A>,
  ) {
    super();
    this.observationSpace = env.observationSpace as unknown as Space<WO>;
    this.actionSpace = env.actionSpace as unknown as Space<WA>;
  }

  override reset(args?: ResetArgs): ResetResult<WO> {
    return this.env.reset(args) as unknown as ResetResult<WO>;
  }

  override step(action: WA): StepResult<WO> {
    return this.env.step(action as unknown as A) as unknown as StepResult<WO>;
  }

  override render(): Frame {
    const inner = this.env;
    if (typeof inner.render !== "function")
      throw new Error(`${this.name}: render() is not supported by this env`);
    return inner.render();
  }

  override close(): void {
    this.env.close();
  }

  override get spec(): EnvSpec | undefined {
    return this.env.spec;
  }
  override set spec(value: EnvSpec | undefined) {
    this.env.spec = value;
  }

  override get unwrapped(): Env<unknown, unknown> {
    return this.env.unwrapped;
  }

  /** Messages name the env inside, not the wrapper. */
  override get name(): string {
    return this.env.name;
  }

  /** The env's randomness is the wrapped env's. */
  override get rng() {
    return this.env.rng;
  }

  override get canRender(): boolean {
    return this.env.canRender;
  }

  /**
   * This wrapper's own state beyond the wrapped env's (null for a stateless wrapper). A wrapper takes
   * part in the state protocol by overriding this and {@link Wrapper.restoreOwnState}; one that does not
   * blocks `getState` of every env around it.
   */
  protected ownState?(): unknown;
  /** Restores what {@link Wrapper.ownState} returned. */
  protected restoreOwnState?(state: unknown): void;

  /** `{ own, env }`: this wrapper's state and the wrapped env's. */
  override getState(): unknown {
    const blocker = this.stateBlocker();
    if (blocker !== undefined)
      throw new Error(`${this.name}: getState() is not supported: ${blocker} does not save its state`);
    return { own: this.ownState!(), env: this.env.getState!() };
  }

  override setState(state: unknown): void {
    const blocker = this.stateBlocker();
    if (blocker !== undefined)
      throw new Error(`${this.name}: setState() is not supported: ${blocker} does not save its state`);
    const s = checkStateObject(`${this.name} (${this.constructor.name})`, state, ["own", "env"]);
    this.env.setState!(s.env);
    this.restoreOwnState!(s.own);
  }

  override stateBlocker(): string | undefined {
    if (typeof this.ownState !== "function" || typeof this.restoreOwnState !== "function")
      return `the wrapper ${this.constructor.name} around ${this.env.name}`;
    return this.env.stateBlocker();
  }

  override toString(): string {
    return `${this.constructor.name}<${this.env}>`;
  }
}

/** A wrapper that transforms every observation (reset's and step's) with `observation()`. */
export abstract class ObservationWrapper<O, A, WO> extends Wrapper<O, A, WO, A> {
  /** Maps an observation of the wrapped env to this wrapper's. */
  abstract observation(observation: O): WO;

  override reset(args?: ResetArgs): ResetResult<WO> {
    const { observation, info } = this.env.reset(args);
    return { observation: this.observation(observation), info };
  }

  override step(action: A): StepResult<WO> {
    const r = this.env.step(action);
    return {
      observation: this.observation(r.observation),
      reward: r.reward,
      terminated: r.terminated,
      truncated: r.truncated,
      info: r.info,
    };
  }
}

/** A wrapper that maps each action before passing it on, with `action()`. */
export abstract class ActionWrapper<O, A, WA> extends Wrapper<O, A, O, WA> {
  /** Maps this wrapper's action to the wrapped env's. */
  abstract action(action: WA): A;

  override step(action: WA): StepResult<O> {
    return this.env.step(this.action(action));
  }
}

/** A wrapper that maps every reward with `reward()`. */
export abstract class RewardWrapper<O, A> extends Wrapper<O, A> {
  /** Maps a reward of the wrapped env to this wrapper's. */
  abstract reward(reward: number): number;

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    return {
      observation: r.observation,
      reward: this.reward(r.reward),
      terminated: r.terminated,
      truncated: r.truncated,
      info: r.info,
    };
  }
}
