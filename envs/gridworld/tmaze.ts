// Bakker's T-maze (B. Bakker, "Reinforcement Learning with Long Short-Term Memory", NIPS 2001/2002):
// a corridor whose start shows which arm of the final T-junction holds the reward.
import {
  Box,
  beforeResetError,
  checkOptionKeys,
  checkResetArgs,
  checkStateObject,
  Discrete,
  describeValue,
  Env,
  type Info,
  invalidActionMessage,
  type ResetArgs,
  type ResetResult,
  type RngState,
  requireIntegerAtLeast,
  type StepResult,
} from "../../src/core";
import { paint, sideBySide, type TextPictureOptions } from "./render_text";

/** Keyword arguments of `TMazeEnv`. */
export interface TMazeArgs {
  /** Cells from the start to the junction: the agent must carry the cue this many steps (default 10). */
  length?: number;
  /** Truncation step; null or absent for `10 * (length + 1)`. */
  maxSteps?: number | null;
}

/** TMaze actions: moves in the four compass directions. */
export const TMazeActions = { north: 0, east: 1, south: 2, west: 3 } as const;

/** Reward for entering the arm the cue pointed to (Bakker: 4). */
export const TMAZE_GOAL_REWARD = 4;
/** Reward for entering the other arm, and for bumping into a wall (Bakker: -0.1). */
export const TMAZE_PENALTY = -0.1;

// Bakker's 3-bit observations.
const CUE_NORTH = [0, 1, 1];
const CUE_SOUTH = [1, 1, 0];
const CORRIDOR = [1, 0, 1];
const JUNCTION = [0, 1, 0];
/** What each observation means, for `renderPlay`. */
const OBSERVATION_MEANINGS: readonly [readonly number[], string][] = [
  [CUE_NORTH, "cue: the goal is north"],
  [CUE_SOUTH, "cue: the goal is south"],
  [CORRIDOR, "corridor (no cue)"],
  [JUNCTION, "junction: go north or south"],
];
const EMPTY_INFO = Object.freeze({}) as Info;

/**
 * Bakker's T-maze. The agent starts at the west end of a corridor of `length` cells (positions
 * 0 … length) and sees a 3-bit float32 observation: the cue at the start, `[0, 1, 1]` if the goal is
 * in the north arm and `[1, 1, 0]` if south; `[1, 0, 1]` in the corridor; `[0, 1, 0]` at the junction
 * (position `length`). Actions: 0 north, 1 east, 2 south, 3 west.
 *
 * Rewards and ends (Bakker 2002): moving north or south at the junction ends the episode
 * (`terminated`) with +4 in the cued arm and -0.1 in the other; any move into a wall leaves the agent
 * where it is with -0.1; every other step gives 0. `truncated` after `maxSteps` steps. The optimal
 * return is 4 after `length + 1` steps, which needs the cue remembered for `length` steps.
 */
export class TMazeEnv extends Env<Float32Array, number> {
  /** Keys of `pomdp play`: each arrow moves in its direction (north is up in `renderText`). */
  readonly playKeys = {
    up: { action: TMazeActions.north, name: "north" },
    right: { action: TMazeActions.east, name: "east" },
    down: { action: TMazeActions.south, name: "south" },
    left: { action: TMazeActions.west, name: "west" },
  } as const;
  /** What the keys do, for `pomdp play`. */
  readonly playHelp = "keys: arrows move north / east / south / west, r reset, q quit";
  readonly observationSpace = new Box(0, 1, [3], "float32");
  readonly actionSpace = new Discrete(4);
  /** The actions' names by index, for captions such as `pomdp record`'s. */
  readonly actionNames: readonly string[] = Object.keys(TMazeActions);
  /** Cells from the start to the junction. */
  readonly length: number;
  /** Steps after which an episode is truncated. */
  readonly maxSteps: number;
  /** Position along the corridor (0 = start, `length` = junction). */
  position = 0;
  /** Whether the reward is in the north arm this episode. */
  goalNorth = true;
  /** Steps taken in the current episode. */
  stepCount = 0;
  private hasReset = false;

  constructor(args: TMazeArgs = {}) {
    super();
    this.length = requireIntegerAtLeast("TMazeEnv", "length", args.length ?? 10, 1);
    this.maxSteps = requireIntegerAtLeast("TMazeEnv", "maxSteps", args.maxSteps ?? 10 * (this.length + 1), 1);
  }

  /** Starts an episode with the goal arm drawn at random (no options). */
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    checkResetArgs(this.name, args);
    checkOptionKeys(this.name, args?.options ?? {}, []);
    this.seedRng(args?.seed);
    this.goalNorth = this.rng.integer(2) === 0;
    this.position = 0;
    this.stepCount = 0;
    this.hasReset = true;
    return { observation: this.observe(), info: {} };
  }

  /** Position, goal arm, step count and generator (the state protocol of `Env`). */
  override getState(): unknown {
    return {
      position: this.position,
      goalNorth: this.goalNorth,
      stepCount: this.stepCount,
      hasReset: this.hasReset,
      rng: this.rngState(),
    };
  }

  override setState(state: unknown): void {
    const s = checkStateObject(this.name, state, ["position", "goalNorth", "stepCount", "hasReset", "rng"]);
    const { position, stepCount } = s;
    if (
      typeof position !== "number" ||
      !Number.isInteger(position) ||
      position < 0 ||
      position > this.length ||
      typeof stepCount !== "number" ||
      !Number.isInteger(stepCount) ||
      stepCount < 0
    ) {
      throw new Error(
        `${this.name}: setState() got position ${describeValue(position)}, stepCount ${describeValue(stepCount)}; expected integers in [0, ${this.length}] and ≥ 0`,
      );
    }
    this.restoreRngState(s.rng as RngState | null);
    this.position = position;
    this.stepCount = stepCount;
    this.goalNorth = s.goalNorth === true;
    this.hasReset = s.hasReset === true;
  }

  /** Moves one cell (see the class comment for rewards). */
  step(action: number): StepResult<Float32Array> {
    if (!(action === (action | 0) && action >= 0 && action <= 3)) {
      throw new Error(invalidActionMessage(this.name, this.actionSpace, action));
    }
    if (!this.hasReset) throw beforeResetError(this.name, "step()");
    this.stepCount++;
    let reward = 0;
    let terminated = false;
    const atJunction = this.position === this.length;
    if (action === TMazeActions.east && !atJunction) this.position++;
    else if (action === TMazeActions.west && this.position > 0) this.position--;
    else if (atJunction && (action === TMazeActions.north || action === TMazeActions.south)) {
      terminated = true;
      reward = (action === TMazeActions.north) === this.goalNorth ? TMAZE_GOAL_REWARD : TMAZE_PENALTY;
    } else reward = TMAZE_PENALTY; // bumped into a wall
    return {
      observation: this.observe(),
      reward,
      terminated,
      truncated: this.stepCount >= this.maxSteps,
      info: EMPTY_INFO,
    };
  }

  /** A three-line picture: the two arms above and below the junction (`*` the goal), the corridor with the agent `A`. */
  renderText(): string {
    const pad = " ".repeat(this.length);
    let corridor = "";
    for (let i = 0; i <= this.length; i++) corridor += i === this.position ? "A" : ".";
    return [`${pad}${this.goalNorth ? "*" : "o"}`, corridor, `${pad}${this.goalNorth ? "o" : "*"}`].join(
      "\n",
    );
  }

  /**
   * The picture of `pomdp play`: the maze with north up (walls `##`, the agent `@@`, the goal arm
   * `GG`) beside what the agent observes — the three bits of `observation` as returned by reset or
   * step, naming the cue when it is shown — and a table of what each observation means.
   */
  renderPlay(observation: unknown, options: TextPictureOptions = {}): string {
    const color = options.color === true;
    const wall = paint("##", "90", color);
    const goal = paint("GG", "1;30;42", color);
    const agent = paint("@@", "1;91", color);
    // Columns: the west wall, positions 0 … length (the junction is column length + 1), the east wall.
    const west = "  ".repeat(this.length);
    const arm = (isGoal: boolean) => `${west}${wall}${isGoal ? goal : "  "}${wall}`;
    const armEnd = `${west}${wall}${wall}${wall}`;
    const side = `${wall.repeat(this.length + 1)}  ${wall}`;
    let corridor = wall;
    for (let i = 0; i <= this.length; i++) corridor += i === this.position ? agent : "  ";
    corridor += wall;
    const place = this.position === 0 ? "start" : this.position === this.length ? "junction" : "corridor";
    // Padded to the longest, so the observation column stays put.
    const where = `position ${this.position}/${this.length} (${place})`.padEnd(
      `position ${this.length}/${this.length} (junction)`.length,
    );
    const map = [
      "full map (north is up)",
      armEnd,
      arm(this.goalNorth),
      side,
      corridor,
      side,
      arm(!this.goalNorth),
      armEnd,
      where,
    ];

    const shown =
      observation instanceof Float32Array && observation.length === 3 ? observation : this.observe();
    const bits = Array.from(shown);
    const format = (b: readonly number[]) => `[${b.join(", ")}]`;
    const meaning = OBSERVATION_MEANINGS.find(([b]) => b.every((x, i) => x === bits[i]))?.[1] ?? "?";
    const observed = [
      "what the agent observes",
      paint(`${format(bits)}  ${meaning}`, "1", color),
      "",
      "what each observation means",
      ...OBSERVATION_MEANINGS.map(([b, m]) => {
        const line = `${format(b)}  ${m}`;
        return b.every((x, i) => x === bits[i]) ? paint(`${line}  <`, "1", color) : line;
      }),
      "(the cue is seen only at the start)",
    ];
    const legend = `legend: ${agent} you   ${wall} wall   ${goal} goal: +${TMAZE_GOAL_REWARD}, the other arm ${TMAZE_PENALTY}, bumping a wall ${TMAZE_PENALTY}`;
    const task = "task: remember the cue seen at the start, then at the junction enter that arm";
    return [task, "", ...sideBySide(map, observed), "", legend].join("\n");
  }

  private observe(): Float32Array {
    const bits =
      this.position === 0
        ? this.goalNorth
          ? CUE_NORTH
          : CUE_SOUTH
        : this.position === this.length
          ? JUNCTION
          : CORRIDOR;
    return Float32Array.from(bits);
  }

  override toString(): string {
    return `TMazeEnv(length=${describeValue(this.length)})`;
  }
}
