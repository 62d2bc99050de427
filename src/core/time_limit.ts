import { describeValue, requirePositiveInteger } from "./describe";
import { checkStateObject, type Env, type ResetArgs, type ResetResult, type StepResult } from "./env";
import { Wrapper } from "./wrapper";

/**
 * Truncates episodes after `maxEpisodeSteps` steps (Gymnasium's `TimeLimit`): the step that reaches
 * the limit returns `truncated: true` (possibly together with `terminated: true`). `make` adds it from
 * the spec's `maxEpisodeSteps`. It lives in `src/core` because `make` needs it; `src/wrappers`
 * re-exports it.
 */
export class TimeLimit<O, A> extends Wrapper<O, A> {
  private elapsed = 0;

  constructor(
    env: Env<O, A>,
    /** The most steps an episode may take. */
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    requirePositiveInteger("TimeLimit", "maxEpisodeSteps", maxEpisodeSteps);
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    const result = this.env.reset(args);
    this.elapsed = 0;
    return result;
  }

  protected override ownState(): unknown {
    return { elapsed: this.elapsed };
  }

  protected override restoreOwnState(state: unknown): void {
    const { elapsed } = checkStateObject(`TimeLimit(${this.name})`, state, ["elapsed"]);
    if (typeof elapsed !== "number" || !Number.isInteger(elapsed) || elapsed < 0)
      throw new Error(
        `TimeLimit(${this.name}): setState() got elapsed ${describeValue(elapsed)}; expected an integer ≥ 0`,
      );
    this.elapsed = elapsed;
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps && !r.truncated) r.truncated = true;
    return r;
  }
}
