import { type Env, RewardWrapper } from "../core";

/** Maps every reward with a function (Gymnasium's `TransformReward`), e.g. clipping or scaling. */
export class TransformReward<O, A> extends RewardWrapper<O, A> {
  constructor(
    env: Env<O, A>,
    /** The reward map. */
    readonly fn: (reward: number) => number,
  ) {
    super(env);
    if (typeof fn !== "function")
      throw new Error(`TransformReward(${env.name}): expected a function (reward) => number`);
  }

  /** Keeps no state of its own: the state protocol saves only the wrapped env's. */
  protected override ownState(): null {
    return null;
  }

  protected override restoreOwnState(): void {}

  reward(reward: number): number {
    return this.fn(reward);
  }
}
