// The replay buffer of the value-based agents (DQN, Double DQN, DRQN): the transitions of N envs in
// typed-array rings, sampled uniformly into one minibatch (DQN) or as sequences that never leave an
// episode (DRQN), and saved whole with a run's checkpoint so that a resumed run replays the same data.
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { UniformSource } from "../src/core/rng";

/** Arguments of {@link ReplayBuffer}. */
export interface ReplayBufferArgs {
  /** Transitions held in all envs together (SB3's buffer_size: each env keeps capacity / numEnvs). */
  capacity: number;
  numEnvs: number;
  /** Values of one observation. */
  observationSize: number;
  /** Values of the recurrent state (h, and as many of c) stored with each transition; 0: none. */
  stateSize?: number;
  /** State arrays stored: 2 (h and c, an LSTM's; the default) or 1 (h alone, a GRU's or RNN's). */
  stateParts?: 1 | 2;
}

/** One vector step of transitions, as {@link ReplayBuffer.add} takes it (N rows each). */
export interface VectorTransitions {
  observations: Float32Array;
  /** The observations the actions led to: the final observation where an episode ended. */
  nextObservations: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** 1 where the observation is the first of its episode. */
  episodeStarts: Uint8Array;
  /** The recurrent state each env acted with (before the step), when the buffer stores states. */
  h?: Float32Array;
  /** c of an LSTM's state (buffers with stateParts 2). */
  c?: Float32Array;
}

/** A uniformly sampled minibatch of transitions (typed arrays, reused by every sample). */
export interface TransitionBatch {
  rows: number;
  /** The rows' observations, then their next observations: [2 · rows, F], one tensor for both. */
  observations: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  /** 1 − terminated: whether the TD target bootstraps (a truncated episode still does). */
  bootstrap: Float32Array;
}

/**
 * Sequences of one episode each, time-major (row t·B + b is sequence b at step t): `burnIn` steps
 * before the sequence, its `length` steps, and one more that holds the next observation of its last
 * step. Where the episode ends before `length` steps, the rest is padding with mask 0.
 */
export interface SequenceBatch {
  /** Sequences B. */
  sequences: number;
  burnIn: number;
  length: number;
  /** Steps of the unroll: burnIn + length + 1. */
  steps: number;
  /** [steps · B, F]. */
  observations: Float32Array;
  /** [steps · B]: 1 where an episode begins (the LSTM state is zeroed before that step). */
  episodeStarts: Float32Array;
  /** [length · B] each: the training steps' actions, rewards, bootstrap flags and loss mask. */
  actions: Int32Array;
  rewards: Float32Array;
  bootstrap: Float32Array;
  mask: Float32Array;
  /** [B, stateSize] each: the stored state at the unroll's first step (buffers that store states). */
  h?: Float32Array;
  c?: Float32Array;
}

/** The JSON beside replay.bin in a checkpoint. */
interface ReplayManifest {
  format: typeof FORMAT;
  version: 1;
  slots: number;
  numEnvs: number;
  observationSize: number;
  stateSize: number;
  pos: number;
  full: boolean;
  byteLength: number;
  crc32: number;
  arrays: { name: string; byteOffset: number; byteLength: number }[];
}

const FORMAT = "pomdp-replay-buffer";
/** Files of a saved replay buffer. */
export const REPLAY_FILES = { manifest: "replay.json", data: "replay.bin" } as const;

/**
 * Transitions of N envs in rings of typed arrays, one slot per vector step: row `slot · N + env`. Each
 * env's transitions are consecutive in time, so a sequence of one env is a walk along the slots. It
 * stores `terminated` (the bootstrap mask: a truncated episode still bootstraps from its final
 * observation) and where episodes end and begin (the boundaries sequences never cross).
 */
export class ReplayBuffer {
  /** Slots per env (capacity / numEnvs, at least 1). */
  readonly slots: number;
  readonly numEnvs: number;
  readonly observationSize: number;
  readonly stateSize: number;
  /** State arrays stored per transition: 2 (h, c) or 1 (h; `c` is empty). */
  readonly stateParts: 1 | 2;
  readonly observations: Float32Array;
  readonly nextObservations: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  /** 1 where the episode ended with this transition (terminated or truncated). */
  readonly ended: Uint8Array;
  /** 1 where this transition is the first of its episode. */
  readonly episodeStarts: Uint8Array;
  readonly h: Float32Array;
  readonly c: Float32Array;
  /** The slot the next vector step goes to. */
  pos = 0;
  /** Whether every slot holds a transition (the ring has wrapped). */
  full = false;

  constructor(args: ReplayBufferArgs) {
    const { capacity, numEnvs, observationSize } = args;
    const stateSize = args.stateSize ?? 0;
    for (const [name, value, min] of [
      ["capacity", capacity, 1],
      ["numEnvs", numEnvs, 1],
      ["observationSize", observationSize, 1],
      ["stateSize", stateSize, 0],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < min)
        throw new Error(`ReplayBuffer: ${name} must be an integer ≥ ${min}, got ${value}`);
    }
    this.slots = Math.max(1, Math.floor(capacity / numEnvs));
    this.numEnvs = numEnvs;
    this.observationSize = observationSize;
    this.stateSize = stateSize;
    this.stateParts = args.stateParts ?? 2;
    const rows = this.slots * numEnvs;
    this.observations = new Float32Array(rows * observationSize);
    this.nextObservations = new Float32Array(rows * observationSize);
    this.actions = new Int32Array(rows);
    this.rewards = new Float32Array(rows);
    this.terminated = new Uint8Array(rows);
    this.ended = new Uint8Array(rows);
    this.episodeStarts = new Uint8Array(rows);
    this.h = new Float32Array(rows * stateSize);
    this.c = new Float32Array(this.stateParts === 2 ? rows * stateSize : 0);
  }

  /** Transitions held per env. */
  get size(): number {
    return this.full ? this.slots : this.pos;
  }

  /** Stores one vector step (N transitions), overwriting the oldest when the ring is full. */
  add(t: VectorTransitions): void {
    const N = this.numEnvs;
    const F = this.observationSize;
    const row = this.pos * N;
    this.observations.set(t.observations.subarray(0, N * F), row * F);
    this.nextObservations.set(t.nextObservations.subarray(0, N * F), row * F);
    this.actions.set(t.actions.subarray(0, N), row);
    this.rewards.set(t.rewards.subarray(0, N), row);
    this.episodeStarts.set(t.episodeStarts.subarray(0, N), row);
    for (let i = 0; i < N; i++) {
      this.terminated[row + i] = t.terminated[i] ? 1 : 0;
      this.ended[row + i] = t.terminated[i] || t.truncated[i] ? 1 : 0;
    }
    const S = this.stateSize;
    if (S > 0) {
      const cell = this.stateParts === 2;
      if (t.h === undefined || (cell && t.c === undefined))
        throw new Error(
          `ReplayBuffer.add: this buffer stores recurrent states; pass ${cell ? "h and c" : "h"}`,
        );
      this.h.set(t.h.subarray(0, N * S), row * S);
      if (cell) this.c.set(t.c!.subarray(0, N * S), row * S);
    }
    this.pos += 1;
    if (this.pos === this.slots) {
      this.pos = 0;
      this.full = true;
    }
  }

  /** The row of env `env`'s `i`-th oldest transition (0 ≤ i < size). */
  private row(i: number, env: number): number {
    const slot = this.full ? (this.pos + i) % this.slots : i;
    return slot * this.numEnvs + env;
  }

  /**
   * Fills `out` with `out.rows` transitions drawn uniformly with replacement (SB3's sampling: a
   * stored slot, then an env when there are several).
   */
  sample(rng: UniformSource, out: TransitionBatch): void {
    const size = this.size;
    if (size === 0) throw new Error("ReplayBuffer.sample: the buffer is empty");
    const N = this.numEnvs;
    const F = this.observationSize;
    const B = out.rows;
    for (let k = 0; k < B; k++) {
      const slot = Math.floor(rng.random() * size);
      const env = N > 1 ? Math.floor(rng.random() * N) : 0;
      const row = slot * N + env;
      copyRow(this.observations, row * F, out.observations, k * F, F);
      copyRow(this.nextObservations, row * F, out.observations, (B + k) * F, F);
      out.actions[k] = this.actions[row];
      out.rewards[k] = this.rewards[row];
      out.bootstrap[k] = 1 - this.terminated[row];
    }
  }

  /**
   * Fills `out` with `out.sequences` sequences: each starts at a transition drawn uniformly among
   * those with `burnIn` older ones in the same env, runs until its episode ends (or the buffer does)
   * for at most `length` steps, and is padded after that with mask 0. The burn-in steps are the
   * env's `burnIn` transitions before the start, whichever episodes they belong to (the reset where
   * an episode begins cuts them off); with stored states, `h`/`c` get the state of the first.
   */
  sampleSequences(rng: UniformSource, out: SequenceBatch): void {
    const { sequences: B, burnIn: K, length: L } = out;
    const size = this.size;
    if (size <= K) {
      throw new Error(
        `ReplayBuffer.sampleSequences: ${size} transitions per env, a sequence needs more than burnIn = ${K}`,
      );
    }
    const N = this.numEnvs;
    const F = this.observationSize;
    const S = this.stateSize;
    out.observations.fill(0);
    out.episodeStarts.fill(0);
    out.mask.fill(0);
    out.actions.fill(0);
    out.rewards.fill(0);
    out.bootstrap.fill(0);
    for (let b = 0; b < B; b++) {
      const start = K + Math.floor(rng.random() * (size - K));
      const env = N > 1 ? Math.floor(rng.random() * N) : 0;
      const put = (t: number, from: Float32Array, row: number) =>
        out.observations.set(from.subarray(row * F, (row + 1) * F), (t * B + b) * F);
      // Burn-in: the K transitions before the start.
      for (let t = 0; t < K; t++) {
        const row = this.row(start - K + t, env);
        put(t, this.observations, row);
        out.episodeStarts[t * B + b] = this.episodeStarts[row];
      }
      if (S > 0 && out.h) {
        const first = this.row(start - K, env);
        out.h.set(this.h.subarray(first * S, (first + 1) * S), b * S);
        if (this.stateParts === 2 && out.c) out.c.set(this.c.subarray(first * S, (first + 1) * S), b * S);
      }
      // The sequence, until its episode ends, then the next observation of its last step.
      for (let j = 0; j < L && start + j < size; j++) {
        const row = this.row(start + j, env);
        put(K + j, this.observations, row);
        out.episodeStarts[(K + j) * B + b] = this.episodeStarts[row];
        out.actions[j * B + b] = this.actions[row];
        out.rewards[j * B + b] = this.rewards[row];
        out.bootstrap[j * B + b] = 1 - this.terminated[row];
        out.mask[j * B + b] = 1;
        if (this.ended[row] || j === L - 1 || start + j + 1 === size) {
          put(K + j + 1, this.nextObservations, row);
          break;
        }
      }
    }
  }

  /** Writes the buffer into `dir` (replay.json + replay.bin, CRC-checked). */
  save(dir: string): void {
    const arrays = this.arrays();
    const manifest: ReplayManifest = {
      format: FORMAT,
      version: 1,
      slots: this.slots,
      numEnvs: this.numEnvs,
      observationSize: this.observationSize,
      stateSize: this.stateSize,
      pos: this.pos,
      full: this.full,
      byteLength: 0,
      crc32: 0,
      arrays: [],
    };
    const parts: Buffer[] = [];
    let offset = 0;
    for (const [name, a] of Object.entries(arrays)) {
      const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      parts.push(bytes);
      manifest.arrays.push({ name, byteOffset: offset, byteLength: bytes.byteLength });
      offset += bytes.byteLength;
    }
    const data = Buffer.concat(parts);
    manifest.byteLength = data.byteLength;
    manifest.crc32 = zlib.crc32(data);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, REPLAY_FILES.data), data);
    fs.writeFileSync(path.join(dir, REPLAY_FILES.manifest), `${JSON.stringify(manifest)}\n`);
  }

  /** Reads a buffer written by {@link save} into this one, which must have the same sizes. */
  load(dir: string): void {
    const manifestFile = path.join(dir, REPLAY_FILES.manifest);
    const dataFile = path.join(dir, REPLAY_FILES.data);
    let manifest: ReplayManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    } catch (err) {
      throw new Error(`cannot read the replay buffer ${manifestFile}: ${(err as Error).message}`);
    }
    if (manifest?.format !== FORMAT || manifest.version !== 1 || !Array.isArray(manifest.arrays))
      throw new Error(`${manifestFile} is not a ${FORMAT} version 1 file`);
    const sizes = ["slots", "numEnvs", "observationSize", "stateSize"] as const;
    for (const key of sizes) {
      if (manifest[key] !== this[key]) {
        throw new Error(
          `the replay buffer in ${manifestFile} has ${key} ${manifest[key]}, this run's has ${this[key]}`,
        );
      }
    }
    const data = fs.readFileSync(dataFile);
    if (data.byteLength !== manifest.byteLength || zlib.crc32(data) !== manifest.crc32)
      throw new Error(`corrupt replay buffer ${dataFile}: its length or CRC-32 differs from ${manifestFile}`);
    const arrays = this.arrays();
    for (const { name, byteOffset, byteLength } of manifest.arrays) {
      const target = arrays[name];
      if (target === undefined || target.byteLength !== byteLength)
        throw new Error(`corrupt replay buffer ${manifestFile}: unexpected array "${name}"`);
      new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(
        data.subarray(byteOffset, byteOffset + byteLength),
      );
    }
    if (!Number.isSafeInteger(manifest.pos) || manifest.pos < 0 || manifest.pos >= this.slots)
      throw new Error(`corrupt replay buffer ${manifestFile}: pos ${manifest.pos}`);
    this.pos = manifest.pos;
    this.full = manifest.full === true;
  }

  private arrays(): Record<string, Float32Array | Int32Array | Uint8Array> {
    return {
      observations: this.observations,
      nextObservations: this.nextObservations,
      actions: this.actions,
      rewards: this.rewards,
      terminated: this.terminated,
      ended: this.ended,
      episodeStarts: this.episodeStarts,
      h: this.h,
      c: this.c,
    };
  }
}

/** Typed arrays for uniform minibatches of `rows` transitions of observations of `observationSize`. */
export function transitionBatch(rows: number, observationSize: number): TransitionBatch {
  return {
    rows,
    observations: new Float32Array(2 * rows * observationSize),
    actions: new Int32Array(rows),
    rewards: new Float32Array(rows),
    bootstrap: new Float32Array(rows),
  };
}

/** Typed arrays for batches of `sequences` sequences (see {@link SequenceBatch}). */
export function sequenceBatch(
  sequences: number,
  length: number,
  burnIn: number,
  observationSize: number,
  stateSize = 0,
  stateParts: 1 | 2 = 2,
): SequenceBatch {
  const steps = burnIn + length + 1;
  return {
    sequences,
    burnIn,
    length,
    steps,
    observations: new Float32Array(steps * sequences * observationSize),
    episodeStarts: new Float32Array(steps * sequences),
    actions: new Int32Array(length * sequences),
    rewards: new Float32Array(length * sequences),
    bootstrap: new Float32Array(length * sequences),
    mask: new Float32Array(length * sequences),
    ...(stateSize > 0 ? { h: new Float32Array(sequences * stateSize) } : {}),
    ...(stateSize > 0 && stateParts === 2 ? { c: new Float32Array(sequences * stateSize) } : {}),
  };
}

/**
 * dest[to … to + n) = src[from … from + n): a loop for short rows (vector observations, where two
 * subarray views a row cost more than the copy), `set` for long ones (pixels).
 */
function copyRow(src: Float32Array, from: number, dest: Float32Array, to: number, n: number): void {
  if (n > 32) dest.set(src.subarray(from, from + n), to);
  else for (let j = 0; j < n; j++) dest[to + j] = src[from + j];
}
