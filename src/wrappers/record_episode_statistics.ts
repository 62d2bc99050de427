import {
  checkStateObject,
  type Env,
  type ResetArgs,
  type ResetResult,
  type StepResult,
  Wrapper,
} from "../core";

/** What `RecordEpisodeStatistics` puts in `info.episode` when an episode ends. */
export interface EpisodeStatistics {
  /** The episode's return: the sum of its rewards. */
  r: number;
  /** The episode's length in steps. */
  l: number;
  /** Wall-clock seconds the episode took. */
  t: number;
}

/**
 * Adds `info.episode = { r, l, t }` (return, length, seconds) to the step that ends an episode, as
 * Gymnasium's `RecordEpisodeStatistics`; keeps the last `bufferLength` returns and lengths.
 */
export class RecordEpisodeStatistics<O, A> extends Wrapper<O, A> {
  /** Returns of the most recent episodes, oldest first. */
  readonly returnQueue: number[] = [];
  /** Lengths of the most recent episodes, oldest first. */
  readonly lengthQueue: number[] = [];
  private episodeReturn = 0;
  private episodeLength = 0;
  private startTime = 0;

  constructor(
    env: Env<O, A>,
    /** How many recent episodes the queues keep. */
    readonly bufferLength = 100,
  ) {
    super(env);
  }

  override reset(args?: ResetArgs): ResetResult<O> {
    const result = this.env.reset(args);
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.startTime = performance.now();
    return result;
  }

  /** The running episode and the queues (the episode's clock restarts on restore). */
  protected override ownState(): unknown {
    return {
      episodeReturn: this.episodeReturn,
      episodeLength: this.episodeLength,
      returnQueue: [...this.returnQueue],
      lengthQueue: [...this.lengthQueue],
    };
  }

  protected override restoreOwnState(state: unknown): void {
    const what = `RecordEpisodeStatistics(${this.name})`;
    const s = checkStateObject(what, state, ["episodeReturn", "episodeLength", "returnQueue", "lengthQueue"]);
    const numbers = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "number");
    if (
      typeof s.episodeReturn !== "number" ||
      typeof s.episodeLength !== "number" ||
      !numbers(s.returnQueue) ||
      !numbers(s.lengthQueue)
    ) {
      throw new Error(
        `${what}: setState() expected numbers episodeReturn, episodeLength and arrays of numbers returnQueue, lengthQueue`,
      );
    }
    this.episodeReturn = s.episodeReturn;
    this.episodeLength = s.episodeLength;
    this.returnQueue.splice(0, this.returnQueue.length, ...(s.returnQueue as number[]));
    this.lengthQueue.splice(0, this.lengthQueue.length, ...(s.lengthQueue as number[]));
    this.startTime = performance.now();
  }

  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength++;
    if (r.terminated || r.truncated) {
      const episode: EpisodeStatistics = {
        r: this.episodeReturn,
        l: this.episodeLength,
        t: (performance.now() - this.startTime) / 1000,
      };
      this.returnQueue.push(episode.r);
      this.lengthQueue.push(episode.l);
      if (this.returnQueue.length > this.bufferLength) {
        this.returnQueue.shift();
        this.lengthQueue.shift();
      }
      return { ...r, info: { ...r.info, episode } };
    }
    return r;
  }
}
