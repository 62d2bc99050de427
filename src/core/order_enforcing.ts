import { describeValue } from "./describe";
import {
  checkResetArgs,
  checkStateObject,
  type Env,
  type ResetArgs,
  type ResetResult,
  type StepResult,
} from "./env";
import { Discrete } from "./spaces";
import { Wrapper } from "./wrapper";

/**
 * Enforces the env contract for any env, so that a user's env gets the same clear errors as the
 * built-in ones (Gymnasium's `OrderEnforcing` plus its passive checks): `step` or `render` before
 * `reset`, malformed `reset` arguments, and actions outside the action space all throw an `Error`
 * naming the env, the argument and what was expected. `make` adds it to every env.
 */
export class OrderEnforcing<O, A> extends Wrapper<O, A> {
  private hasReset = false;

  constructor(env: Env<O, A>) {
    super(env);
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    checkResetArgs(this.name, args);
    const result = this.env.reset(args);
    this.hasReset = true;
    return result;
  }

  override step(action: A): StepResult<O> {
    if (!this.hasReset) throw beforeResetError(this.name, "step()");
    if (!this.actionSpace.contains(action))
      throw new Error(invalidActionMessage(this.name, this.actionSpace, action));
    return this.env.step(action);
  }

  protected override ownState(): unknown {
    return { hasReset: this.hasReset };
  }

  protected override restoreOwnState(state: unknown): void {
    const { hasReset } = checkStateObject(`OrderEnforcing(${this.name})`, state, ["hasReset"]);
    this.hasReset = hasReset === true;
  }

  override render() {
    if (!this.hasReset) throw beforeResetError(this.name, "render()");
    return super.render();
  }
}

/** The error for calling `method` ("step()", "render()") before the first `reset()`. */
export function beforeResetError(envName: string, method: string): Error {
  return new Error(`${envName}: ${method} called before reset(); call reset() first`);
}

/** The message for an action outside `space`: names the env, the action and what was expected. */
export function invalidActionMessage(
  envName: string,
  space: { toString(): string },
  action: unknown,
): string {
  const expected = space instanceof Discrete ? space.describeValues() : `an element of ${space}`;
  return `${envName}: step() got action ${describeValue(action)}; expected ${expected}`;
}
