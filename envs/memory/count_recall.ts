// POPGym's CountRecall (Morad et al., "POPGym: Benchmarking Partially Observable Reinforcement
// Learning", ICLR 2023; popgym/envs/count_recall.py): say how often the queried value has been dealt.
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
  type Info,
  invalidActionMessage,
  type ResetArgs,
  type ResetResult,
  type RngState,
  requireIntegerAtLeast,
  type StepResult,
} from "../../src/core";
import { paint, type TextPictureOptions } from "../gridworld/render_text";
import { CellPicture, digitPlayKeys, formatBits, PICTURE_COLOURS, symbolColour } from "./picture";

/** Keyword arguments of `CountRecallEnv`. */
export interface CountRecallArgs {
  /** Number of distinct card values, each counted on its own (integer ≥ 2, default 4; POPGym: 2 colours, 4 suits or 13 ranks). */
  values?: number;
  /** Steps per episode, every one scored (integer ≥ 1, default 16). */
  length?: number;
  /**
   * The largest count the agent can say: the action space is Discrete(maxCount + 1), and a count
   * above it is answered by maxCount ("that many or more"). Integer ≥ 1; null or absent for `length`,
   * which no count can exceed, so the answer is always the exact count (as in POPGym).
   */
  maxCount?: number | null;
}

const EMPTY_INFO = Object.freeze({}) as Info;

/**
 * CountRecall (POPGym, popgym/envs/count_recall.py). Each step deals two cards, each value drawn
 * uniformly and independently from `values` values with the env's generator: a dealt card and a
 * query card. The observation is float32 `[one-hot dealt value (values) | one-hot query value
 * (values)]`, POPGym's `[dealt card, card query]` pair one-hot encoded. The action
 * (Discrete(maxCount + 1)) is a count.
 *
 * Timing (as POPGym's): `reset` deals (v_0, q_0) and step t (1-based) returns (v_t, q_t). The answer
 * given at step t is scored against the number of times q_{t−1}'s value occurs among v_0 … v_{t−1},
 * the dealt cards seen so far, including the one shown with the query (POPGym counts a card as soon as
 * it is dealt), capped at `maxCount`. Every step is scored: +1/length if right, −1/length if wrong
 * (POPGym's ±1/(episode steps); its `error_clamp` argument is documented but unused, the reward is
 * all or nothing there too), so the return lies in [−1, 1]. The episode ends with `terminated` at step
 * `length`; the query shown with the last observation is never answered (as in POPGym).
 *
 * Success (`successAbove` 0.99 in the registry): every answer right (one wrong answer costs 2/length,
 * so this reads "all right" for `length` < 200). The last step's `info` has `accuracy` (the share of
 * answers that were right) and `success` (all of them); other steps' info is empty.
 *
 * What makes it hard for memory: the query is random, so the agent must keep a running count for
 * every value at once (an integer per value, updated every step), not one remembered symbol as in
 * RepeatPrevious or the T-maze; and the order of the cards does not matter, only how many of each.
 * A memoryless policy sees neither the counts nor the time: all it can go on is whether the two cards
 * shown match (then the count is at least 1). With the defaults the best it can do (answer 1 when
 * they match, else 0) is right a quarter of the time, a return near −0.5. More `values` means more
 * counters; a longer `length` means larger counts to keep.
 *
 * Differences from POPGym, on purpose: POPGym deals from two shuffled 52-card decks without
 * replacement (so the counts at the end are fixed by the deck, and the episode is 51 steps); here
 * values are i.i.d. and the length is a knob. POPGym's action space, Discrete(52 / values), cannot
 * say the largest count a value reaches; here `maxCount` defaults to one that always can.
 */
export class CountRecallEnv extends Env<Float32Array, number> {
  readonly observationSpace: Box<"float32">;
  readonly actionSpace: Discrete;
  /** Keys of `pomdp play`: digit d answers d (counts 0 … 9). */
  readonly playKeys: Readonly<Record<string, { action: number; name: string }>>;
  /** What the keys do, for `pomdp play`. */
  readonly playHelp: string;
  /** Number of distinct card values. */
  readonly values: number;
  /** Steps per episode. */
  readonly length: number;
  /** The largest count the agent can say. */
  readonly maxCount: number;
  /** Steps per episode (`length`): the env ends the episode itself here (read by `pomdp envs` and `pomdp record`). */
  readonly maxSteps: number;
  /** Steps taken in the current episode. */
  stepCount = 0;
  /** Answers that were right, this episode. */
  rightAnswers = 0;
  /** The last step's action (null before the episode's first step). */
  lastAction: number | null = null;
  /** The right answer of the last step (null before the episode's first step). */
  lastTarget: number | null = null;
  /** Dealt values: `dealt[i]` is v_i, valid for i ≤ stepCount (allocated once, reused). */
  private readonly dealt: Int32Array;
  /** Query values: `queries[i]` is q_i, likewise. */
  private readonly queries: Int32Array;
  /** How many times each value is among v_0 … v_stepCount. */
  private readonly counts: Int32Array;
  private hasReset = false;

  constructor(args: CountRecallArgs = {}) {
    super();
    this.values = requireIntegerAtLeast("CountRecallEnv", "values", args.values ?? 4, 2);
    this.length = requireIntegerAtLeast("CountRecallEnv", "length", args.length ?? 16, 1);
    this.maxCount = requireIntegerAtLeast("CountRecallEnv", "maxCount", args.maxCount ?? this.length, 1);
    this.maxSteps = this.length;
    this.observationSpace = new Box(0, 1, [2 * this.values], "float32");
    this.actionSpace = new Discrete(this.maxCount + 1);
    this.dealt = new Int32Array(this.length + 1);
    this.queries = new Int32Array(this.length + 1);
    this.counts = new Int32Array(this.values);
    this.playKeys = digitPlayKeys(this.maxCount + 1, (a) => `answer ${a}`);
    const untyped = this.maxCount > 9 ? " (larger counts cannot be typed)" : "";
    this.playHelp = `keys: 0 … ${Math.min(this.maxCount, 9)} answer that count${untyped}, r reset, q quit`;
  }

  /** Starts an episode: deals the first card and query (no options). */
  reset(args?: ResetArgs): ResetResult<Float32Array> {
    checkResetArgs(this.name, args);
    checkOptionKeys(this.name, args?.options ?? {}, []);
    this.seedRng(args?.seed);
    this.counts.fill(0);
    this.stepCount = 0;
    this.rightAnswers = 0;
    this.lastAction = null;
    this.lastTarget = null;
    this.hasReset = true;
    this.deal(0);
    return { observation: this.observe(), info: {} };
  }

  /** Scores the answer to the shown query (see the class comment) and deals the next card and query. */
  step(action: number): StepResult<Float32Array> {
    if (!(action === (action | 0) && action >= 0 && action <= this.maxCount)) {
      throw new Error(invalidActionMessage(this.name, this.actionSpace, action));
    }
    if (!this.hasReset) throw beforeResetError(this.name, "step()");
    if (this.stepCount >= this.maxSteps) {
      throw new Error(`${this.name}: step() called after the episode ended (terminated); call reset() first`);
    }
    const target = Math.min(this.counts[this.queries[this.stepCount]], this.maxCount);
    const right = action === target;
    if (right) this.rightAnswers++;
    this.lastAction = action;
    this.lastTarget = target;
    const t = ++this.stepCount;
    this.deal(t);
    const terminated = t === this.maxSteps;
    const info: Info = terminated
      ? { accuracy: this.rightAnswers / this.length, success: this.rightAnswers === this.length }
      : EMPTY_INFO;
    return {
      observation: this.observe(),
      reward: (right ? 1 : -1) / this.length,
      terminated,
      truncated: false,
      info,
    };
  }

  /** The right answer to the query shown now: how often its value has been dealt so far, capped at `maxCount`. */
  answerNow(): number {
    if (!this.hasReset) throw beforeResetError(this.name, "answerNow()");
    return Math.min(this.counts[this.queries[this.stepCount]], this.maxCount);
  }

  /** How many times `value` has been dealt so far (the current card included). */
  countOf(value: number): number {
    return this.counts[value];
  }

  /** The dealt card and the query shown now, or null before the first reset. */
  shown(): { dealt: number; query: number } | null {
    return this.hasReset ? { dealt: this.dealt[this.stepCount], query: this.queries[this.stepCount] } : null;
  }

  /** The cards dealt so far, the step count, the score and the generator (the state protocol of `Env`). */
  override getState(): unknown {
    const n = this.hasReset ? this.stepCount + 1 : 0;
    return {
      dealt: Array.from(this.dealt.subarray(0, n)),
      queries: Array.from(this.queries.subarray(0, n)),
      stepCount: this.stepCount,
      rightAnswers: this.rightAnswers,
      lastAction: this.lastAction,
      lastTarget: this.lastTarget,
      hasReset: this.hasReset,
      rng: this.rngState(),
    };
  }

  override setState(state: unknown): void {
    const keys = [
      "dealt",
      "queries",
      "stepCount",
      "rightAnswers",
      "lastAction",
      "lastTarget",
      "hasReset",
      "rng",
    ];
    const s = checkStateObject(this.name, state, keys);
    const { dealt, queries, stepCount, rightAnswers, lastAction, lastTarget } = s;
    const hasReset = s.hasReset === true;
    const isInt = (x: unknown, lo: number, hi: number): x is number =>
      typeof x === "number" && Number.isInteger(x) && x >= lo && x <= hi;
    if (!isInt(stepCount, 0, this.maxSteps) || !isInt(rightAnswers, 0, stepCount)) {
      throw new Error(
        `${this.name}: setState() got stepCount ${describeValue(stepCount)}, rightAnswers ${describeValue(rightAnswers)}; expected integers in [0, ${this.maxSteps}] and [0, stepCount]`,
      );
    }
    const n = hasReset ? stepCount + 1 : 0;
    for (const [name, cards] of [
      ["dealt", dealt],
      ["queries", queries],
    ] as const) {
      if (!Array.isArray(cards) || cards.length !== n || !cards.every((x) => isInt(x, 0, this.values - 1))) {
        throw new Error(
          `${this.name}: setState() got ${name} ${describeValue(cards)}; expected ${n} integers in [0, ${this.values - 1}]`,
        );
      }
    }
    // Both are null before the first step and integers after it.
    const answered = stepCount > 0;
    for (const [name, x] of [
      ["lastAction", lastAction],
      ["lastTarget", lastTarget],
    ] as const) {
      if (answered ? !isInt(x, 0, this.maxCount) : x !== null) {
        throw new Error(
          `${this.name}: setState() got ${name} ${describeValue(x)}; expected ${answered ? `an integer in [0, ${this.maxCount}]` : "null before the first step"}`,
        );
      }
    }
    this.restoreRngState(s.rng as RngState | null);
    this.dealt.fill(0);
    this.queries.fill(0);
    this.dealt.set(dealt as number[]);
    this.queries.set(queries as number[]);
    this.counts.fill(0);
    for (const v of dealt as number[]) this.counts[v]++;
    this.stepCount = stepCount;
    this.rightAnswers = rightAnswers;
    this.lastAction = lastAction as number | null;
    this.lastTarget = lastTarget as number | null;
    this.hasReset = hasReset;
  }

  /**
   * The picture for `pomdp record` and `pomdp render`, one column per value on the left: a bar of
   * that value's count so far (one cell per card, bottom up, at most `maxCount` high), under it the
   * value's colour (framed white for the card dealt now) and a white dot under the value queried now.
   * On the right, after a gap: the last answer as a white bar of that many cells and, beside it, the
   * right answer as a bar in green if they agree and red if not; under both, the verdict's colour
   * (grey before the first step). `(values + 3) · 16 × (min(maxCount, length) + 2) · 16` px.
   */
  override render(): Frame {
    if (!this.hasReset) throw beforeResetError(this.name, "render()");
    const top = Math.min(this.maxCount, this.length);
    const cols = this.values + 3;
    const picture = new CellPicture(cols, top + 2);
    const bar = (col: number, height: number, colour: readonly [number, number, number]) => {
      for (let row = 0; row < top; row++)
        picture.fill(col, row, top - row <= height ? colour : PICTURE_COLOURS.empty);
    };
    for (let v = 0; v < this.values; v++) {
      bar(v, this.counts[v], symbolColour(v));
      picture.fill(v, top, symbolColour(v));
    }
    picture.frame(this.dealt[this.stepCount], top, PICTURE_COLOURS.mark);
    picture.dot(this.queries[this.stepCount], top + 1, PICTURE_COLOURS.mark);
    const verdict = this.lastAction === null ? null : this.lastAction === this.lastTarget;
    const verdictColour =
      verdict === null ? PICTURE_COLOURS.none : verdict ? PICTURE_COLOURS.right : PICTURE_COLOURS.wrong;
    bar(this.values + 1, this.lastAction ?? 0, PICTURE_COLOURS.mark);
    bar(this.values + 2, this.lastTarget ?? 0, verdictColour);
    picture.fill(this.values + 1, top, verdictColour);
    picture.fill(this.values + 2, top, verdictColour);
    return picture.toFrame();
  }

  /** Four lines: the cards shown now, every value's count so far, the last answer and its verdict, the progress. */
  renderText(options: TextPictureOptions = {}): string {
    const now = this.shown();
    if (now === null) return "(call reset() first)";
    const counts = Array.from(this.counts, (c, v) => `${v}:${c}`).join("  ");
    const last =
      this.lastAction === null
        ? "last answer: none yet"
        : `last answer: ${this.lastAction}, right answer ${this.lastTarget}: ${this.lastAction === this.lastTarget ? paint("right", "1;32", options.color) : paint("wrong", "1;31", options.color)}`;
    return [
      `dealt ${now.dealt}, query ${paint(String(now.query), "1", options.color)}: how many ${now.query}s so far?`,
      `counts so far (value:count): ${counts}`,
      last,
      `step ${this.stepCount}/${this.maxSteps}, right ${this.rightAnswers}`,
    ].join("\n");
  }

  /** The picture of `pomdp play`: the task, `renderText`'s lines and what the agent observes. */
  renderPlay(observation: unknown, options: TextPictureOptions = {}): string {
    const shown =
      observation instanceof Float32Array && observation.length === 2 * this.values
        ? observation
        : this.observe();
    return [
      `task: say how many cards of the queried value have been dealt so far (0 … ${this.maxCount})`,
      "",
      this.renderText(options),
      "",
      `the agent observes ${formatBits(shown.subarray(0, this.values))} ${formatBits(shown.subarray(this.values))} (dealt | query)`,
    ].join("\n");
  }

  override toString(): string {
    return `CountRecallEnv(values=${this.values}, length=${this.length}, maxCount=${this.maxCount})`;
  }

  /** Deals card and query number `t` and counts the card. */
  private deal(t: number): void {
    const v = this.rng.integer(this.values);
    this.dealt[t] = v;
    this.queries[t] = this.rng.integer(this.values);
    this.counts[v]++;
  }

  /** `[one-hot dealt | one-hot query]` of the cards shown now, in a fresh array (callers may keep observations). */
  private observe(): Float32Array {
    const obs = new Float32Array(2 * this.values);
    obs[this.dealt[this.stepCount]] = 1;
    obs[this.values + this.queries[this.stepCount]] = 1;
    return obs;
  }
}
