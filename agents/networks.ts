// Networks assembled from src/nn blocks by a `net` spec: encoder (MLP or CNN), optional
// LSTM core, then an actor head and a value head (ActorCritic: PPO, A2C) or a Q head (QNetwork: DQN,
// DRQN). Acting runs on typed arrays where it can.
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, type UniformSource } from "../src/core/rng";
import {
  type Activation,
  CNN_PRESETS,
  CnnEncoder,
  type CnnPresetName,
  Composite,
  ConvDecoder,
  categoricalEntropy,
  cnnPreset,
  Lstm,
  logProbOfLabels,
  Mlp,
  MlpBatchFastPath,
  type Parameterised,
  type ParamMap,
  readValues,
  sampleCategorical,
} from "../src/nn";

/** What the network is made of (the `net` field of an agent's config). */
export interface NetSpec {
  /** `mlp` for flat vector observations; `cnn` for images `[H, W, C]` (preset chosen by size). */
  encoder: "mlp" | "cnn";
  /** Widths of the MLP encoder's layers (after the CNN: its dense layers); [] = observations as they are. */
  hidden: number[];
  /** Activation of the encoder's layers. */
  activation: Activation;
  /** Hidden size of an LSTM core after the encoder; 0 = no memory. */
  lstm: number;
  /** One encoder (and LSTM) feeding both heads (true), or separate actor and critic towers (false). */
  sharedEncoder: boolean;
  /** Initial bias of the LSTM's forget gate (default 0, as CleanRL). */
  forgetBias?: number;
  /** "ae": each CNN encoder gets a decoder built from its layer shapes (an auxiliary reconstruction loss). */
  aux?: "none" | "ae";
  /** Stop the RL loss's gradient at the CNN encoder's output (it then learns from the reconstruction alone). */
  auxDetach?: boolean;
  /** The CNN encoder's weights are not trained (their variables are marked not trainable). */
  freezeEncoder?: boolean;
}

/** Arguments of {@link ActorCritic} and {@link QNetwork}. */
export interface NetworkArgs {
  /** Shape of one observation: `[F]` for `mlp`, `[H, W, C]` for `cnn`. */
  observationShape: readonly number[];
  /** Whether observations are bytes (images): scaled inside a CNN by its preset's byteScale. */
  observationBytes?: boolean;
  /** Number of discrete actions. */
  numActions: number;
  /** The architecture. */
  net: NetSpec;
  /** The run's seed: every block gets its own child seed `deriveSeed(seed, "init/<block path>")`. */
  seed: number;
}

/** Arguments of {@link ActorCritic}. */
export type ActorCriticArgs = NetworkArgs;

/**
 * LSTM state of a batch of envs kept on the JavaScript side: `h` and `c` of every tower, `[towers, B, H]`
 * row-major. Acting updates it in place; the update replays from a copy taken at the rollout's start.
 */
export interface RecurrentState {
  h: Float32Array;
  c: Float32Array;
  /** Number of envs B. */
  batch: number;
}

/**
 * What evaluating or recording an agent needs of its network, whatever the agent: act on a batch of
 * observations (greedily, or as its policy does: sampling for PPO and A2C, ε-greedy for DQN) with a
 * recurrent state carried per env. {@link ActorCritic} and {@link QNetwork} are ones.
 */
export interface AgentNetwork extends Parameterised {
  readonly observationSize: number;
  readonly recurrent: boolean;
  initialState(batch: number): RecurrentState;
  act(
    observations: ArrayLike<number>,
    batch: number,
    rng: UniformSource,
    state?: RecurrentState,
    episodeStarts?: ArrayLike<number>,
    greedy?: boolean,
  ): { actions: Int32Array };
  parameterCount(): number;
  weightsChanged(): void;
}

/** What {@link ActorCritic.act} returns; arrays are reused by the next call with the same batch size. */
export interface ActResult {
  actions: Int32Array;
  logProbs: Float32Array;
  values: Float32Array;
}

/** What {@link ActorCritic.evaluate} returns: tensors of the graph, for a loss. */
export interface Evaluation {
  logProb: tf.Tensor1D;
  entropy: tf.Tensor1D;
  value: tf.Tensor1D;
  /** Each tower's encoder output [N, F] (before any detach): what a decoder reconstructs from. */
  encodings: tf.Tensor2D[];
}

/** The preset CNN for an image shape: Minigrid views, 64×64 frames or 84×84 frames. */
export function cnnPresetFor(shape: readonly number[]): CnnPresetName {
  for (const name of Object.keys(CNN_PRESETS) as CnnPresetName[]) {
    const [h, w] = CNN_PRESETS[name].inputShape;
    if (shape[0] === h && shape[1] === w) return name;
  }
  throw new Error(
    `net.encoder "cnn": no CNN preset for observations of shape [${shape.join(", ")}]; ` +
      "expected 7×7×C (gridworld7), 64×64×C (frames64) or 84×84×C (natureDqn)",
  );
}

/**
 * The preset CNN encoder of a network for image observations of `shape` (`hidden`: its dense layers;
 * bytes are scaled inside it by the preset's byteScale: 1/255 for pixels, 1 for gridworld codes). `pomdp pretrain-ae` builds its encoder here too, so that a
 * pretrained encoder fits the agent's.
 */
export function cnnEncoderFor(
  shape: readonly number[],
  hidden: readonly number[],
  observationBytes: boolean,
  seed: number,
): CnnEncoder {
  if (shape.length !== 3) {
    throw new Error(`net.encoder "cnn" needs image observations [H, W, C], got shape [${shape.join(", ")}]`);
  }
  const preset = cnnPresetFor(shape);
  return cnnPreset(preset, seed, {
    inputShape: [shape[0], shape[1], shape[2]],
    inputScale: observationBytes ? CNN_PRESETS[preset].byteScale : 1,
    ...(hidden.length > 0 ? { dense: [...hidden] } : {}),
  });
}

/**
 * The decoder of a CNN encoder: its layer shapes mirrored, with a linear output whose last layer
 * starts small (outputGain 0.1), so that the first reconstructions are about its bias. A sigmoid
 * output stalled in our trials: its saturation on frames that are mostly 0 or 1, and on gridworld
 * codes scaled by 1/255, left ReLU maps dead and the output constant per channel.
 */
export function decoderFor(encoder: CnnEncoder, seed: number): ConvDecoder {
  return new ConvDecoder({
    inputShape: encoder.args.inputShape,
    convs: encoder.args.convs,
    latentDim: encoder.outputDim,
    outputActivation: "linear",
    outputGain: 0.1,
    seed,
  });
}

/** x forward, no gradient backward: the RL loss's path into a detached encoder. */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D) => tf.Tensor2D;

/** Encoder then optional LSTM (and, with net.aux "ae", a decoder of the encoder's output): observations → features. */
class Tower implements Parameterised {
  readonly encoder?: Mlp | CnnEncoder;
  readonly lstm?: Lstm;
  /** The decoder of the CNN encoder's output (net.aux "ae"). */
  readonly decoder?: ConvDecoder;
  readonly featureDim: number;
  private readonly parts: Composite;

  constructor(args: NetworkArgs, name: string) {
    const { net, observationShape } = args;
    const seed = (block: string) => deriveSeed(args.seed, `init/${name}/${block}`);
    let width: number;
    if (net.encoder === "cnn") {
      const encoder = cnnEncoderFor(
        observationShape,
        net.hidden,
        args.observationBytes ?? false,
        seed("encoder"),
      );
      this.encoder = encoder;
      width = encoder.outputDim;
      if (net.freezeEncoder) for (const v of encoder.params().values()) v.trainable = false;
      if (net.aux === "ae") this.decoder = decoderFor(encoder, seed("decoder"));
    } else {
      for (const field of ["aux", "freezeEncoder"] as const) {
        if (net[field] !== undefined && net[field] !== "none" && net[field] !== false) {
          throw new Error(
            `net.${field} ${JSON.stringify(net[field])} needs net.encoder "cnn" (it acts on a CNN encoder of images), got "mlp"`,
          );
        }
      }
      if (observationShape.length !== 1) {
        throw new Error(
          `net.encoder "mlp" needs flat observations [F], got shape [${observationShape.join(", ")}]; use --net cnn for images`,
        );
      }
      width = observationShape[0];
      if (net.hidden.length > 0) {
        this.encoder = new Mlp({
          sizes: [width, ...net.hidden],
          activation: net.activation,
          outputActivation: net.activation,
          // Every encoder layer is a hidden layer: CleanRL's layer_init gain sqrt(2), the last one too.
          outputGain: Math.SQRT2,
          seed: seed("encoder"),
        });
        width = net.hidden[net.hidden.length - 1];
      }
    }
    if (net.lstm > 0) {
      this.lstm = new Lstm({
        inputDim: width,
        hiddenDim: net.lstm,
        forgetBias: net.forgetBias ?? 0,
        seed: seed("lstm"),
      });
      width = net.lstm;
    }
    this.featureDim = width;
    const parts: Record<string, Parameterised> = {};
    if (this.encoder) parts.encoder = this.encoder;
    if (this.lstm) parts.lstm = this.lstm;
    if (this.decoder) parts.decoder = this.decoder;
    this.parts = new Composite(parts);
  }

  /** Encoder output [N, F] for observations [N, ...shape] (an identity when there is no encoder). */
  encode(obs: tf.Tensor): tf.Tensor2D {
    if (this.encoder instanceof CnnEncoder) return this.encoder.apply(obs as tf.Tensor4D);
    if (this.encoder instanceof Mlp) return this.encoder.apply(obs as tf.Tensor2D);
    return obs as tf.Tensor2D;
  }

  params(): ParamMap {
    return this.parts.params();
  }

  dispose(): void {
    this.parts.dispose();
  }
}

/**
 * LSTM step over a batch for acting, same arithmetic as `Lstm.step` (gates [i, f, o, g]): the gate
 * pre-activations [x, h]·[Wx; Wh] + b come from one TF.js matmul (wasm's is ~20× faster than a
 * JavaScript loop at these sizes), the gate arithmetic runs on the typed arrays.
 */
class LstmFastPath {
  private stacked?: tf.Tensor2D;
  private xh = new Float32Array(0);

  constructor(private readonly lstm: Lstm) {}

  refresh(): void {
    this.stacked?.dispose();
    this.stacked = undefined;
  }

  dispose(): void {
    this.refresh();
  }

  /** x [B, F] → h, c [B, H] updated in place (views at `offset` into the state arrays). */
  step(x: Float32Array, h: Float32Array, c: Float32Array, offset: number, batch: number): void {
    const F = this.lstm.inputDim;
    const H = this.lstm.hiddenDim;
    const K = F + H;
    if (this.stacked === undefined) {
      this.stacked = tf.tidy(
        () => tf.concat([this.lstm.kernel, this.lstm.recurrentKernel], 0) as tf.Tensor2D,
      );
    }
    if (this.xh.length !== batch * K) this.xh = new Float32Array(batch * K);
    const xh = this.xh;
    for (let b = 0; b < batch; b++) {
      xh.set(x.subarray(b * F, (b + 1) * F), b * K);
      xh.set(h.subarray(offset + b * H, offset + (b + 1) * H), b * K + F);
    }
    const stacked = this.stacked;
    const z = readValues(() =>
      tf.fused.matMul({ a: tf.tensor2d(xh, [batch, K]), b: stacked, bias: this.lstm.bias }),
    ) as Float32Array;
    const G = 4 * H;
    for (let b = 0; b < batch; b++) {
      const zo = b * G;
      const so = offset + b * H;
      for (let j = 0; j < H; j++) {
        const inputGate = 1 / (1 + Math.exp(-z[zo + j]));
        const forgetGate = 1 / (1 + Math.exp(-z[zo + H + j]));
        const outputGate = 1 / (1 + Math.exp(-z[zo + 2 * H + j]));
        const candidate = Math.tanh(z[zo + 3 * H + j]);
        const cNext = forgetGate * c[so + j] + inputGate * candidate;
        c[so + j] = cNext;
        h[so + j] = outputGate * Math.tanh(cNext);
      }
    }
  }
}

/** Typed-array forward of one tower (MLP encoder and LSTM): the acting fast path. */
class TowerFastPath {
  private readonly encoder?: MlpBatchFastPath;
  private readonly lstm?: LstmFastPath;
  private features = new Float32Array(0);

  constructor(private readonly tower: Tower) {
    if (tower.encoder instanceof Mlp) this.encoder = new MlpBatchFastPath(tower.encoder);
    if (tower.lstm) this.lstm = new LstmFastPath(tower.lstm);
  }

  refresh(): void {
    this.encoder?.refresh();
    this.lstm?.refresh();
  }

  dispose(): void {
    this.lstm?.dispose();
  }

  /**
   * Features [B, F] of observations [B, obs]; with an LSTM, steps the state (tower `index` of `state`)
   * in place and returns its h (a copy: the state keeps its own).
   */
  forward(obs: Float32Array, batch: number, state: RecurrentState | undefined, index: number): Float32Array {
    const encoded = this.encoder ? this.encoder.forward(obs, batch) : obs;
    if (!this.lstm || !state) return encoded;
    const H = this.tower.featureDim;
    const offset = index * state.batch * H;
    this.lstm.step(encoded, state.h, state.c, offset, batch);
    if (this.features.length !== batch * H) this.features = new Float32Array(batch * H);
    this.features.set(state.h.subarray(offset, offset + batch * H));
    return this.features;
  }
}

/**
 * What every network of an agent shares: the towers (encoder and optional LSTM) built from the `net`
 * spec, the recurrent state kept per env on the JavaScript side, the observation tensor and the
 * unroll of the towers over time-major rows. {@link ActorCritic} and {@link QNetwork} add their heads.
 */
abstract class TowerNetwork implements Parameterised {
  readonly net: NetSpec;
  readonly observationShape: readonly number[];
  readonly observationSize: number;
  readonly observationBytes: boolean;
  protected readonly towers: Tower[];
  /** Typed-array copies of the towers (MLP encoders only), refreshed when the weights changed. */
  protected readonly fastTowers?: TowerFastPath[];
  private parts?: Composite;
  protected stale = false;

  /** Builds one tower per name (each seeded from `init/<name>/…`). */
  protected constructor(args: NetworkArgs, towerNames: readonly string[]) {
    this.net = { ...args.net, hidden: [...args.net.hidden] };
    this.observationShape = [...args.observationShape];
    this.observationSize = args.observationShape.reduce((a, b) => a * b, 1);
    this.observationBytes = args.observationBytes ?? false;
    this.towers = towerNames.map((name) => new Tower(args, name));
    if (args.net.encoder === "mlp") this.fastTowers = this.towers.map((t) => new TowerFastPath(t));
  }

  /** Names the network's parts (their parameter paths' prefixes); called once by the subclass. */
  protected setParts(parts: Record<string, Parameterised>): void {
    this.parts = new Composite(parts);
  }

  /** Whether the network has an LSTM core (and so a recurrent state). */
  get recurrent(): boolean {
    return this.net.lstm > 0;
  }

  /** Marks the weights as changed: the typed-array copies are refreshed before the next `act`. */
  weightsChanged(): void {
    this.stale = true;
  }

  /** A zero recurrent state for `batch` envs (empty arrays without an LSTM). */
  initialState(batch: number): RecurrentState {
    const size = this.recurrent ? this.towers.length * batch * this.net.lstm : 0;
    return { h: new Float32Array(size), c: new Float32Array(size), batch };
  }

  /** A copy of a recurrent state. */
  static copyState(state: RecurrentState): RecurrentState {
    return { h: state.h.slice(), c: state.c.slice(), batch: state.batch };
  }

  /** Zeroes the state of env `i` (where its episode begins). */
  resetState(state: RecurrentState, i: number): void {
    if (!this.recurrent) return;
    const H = this.net.lstm;
    for (let t = 0; t < this.towers.length; t++) {
      const o = (t * state.batch + i) * H;
      state.h.fill(0, o, o + H);
      state.c.fill(0, o, o + H);
    }
  }

  /**
   * The checks and resets before acting on a batch: the observations fit, a recurrent network has a
   * state of this batch, and rows where `episodeStarts[i]` is 1 are zeroed.
   */
  protected beginAct(
    method: string,
    observations: ArrayLike<number>,
    batch: number,
    state?: RecurrentState,
    episodeStarts?: ArrayLike<number>,
  ): void {
    if (observations.length !== batch * this.observationSize) {
      throw new Error(
        `${method}: ${observations.length} observation values for a batch of ${batch} × ${this.observationSize}`,
      );
    }
    if (this.recurrent && (state === undefined || state.batch !== batch)) {
      throw new Error(`${method}: a recurrent network needs a state of batch ${batch}`);
    }
    if (state && episodeStarts)
      for (let i = 0; i < batch; i++) if (episodeStarts[i]) this.resetState(state, i);
  }

  /** Row `env` of a state as a state of batch 1. */
  protected stateRow(state: RecurrentState, env: number): RecurrentState {
    const H = this.net.lstm;
    const row = this.initialState(1);
    for (let t = 0; t < this.towers.length; t++) {
      const o = (t * state.batch + env) * H;
      row.h.set(state.h.subarray(o, o + H), t * H);
      row.c.set(state.c.subarray(o, o + H), t * H);
    }
    return row;
  }

  /** Refreshes the typed-array copies if the weights changed since the last call. */
  protected refreshIfStale(heads: readonly MlpBatchFastPath[]): void {
    if (!this.stale) return;
    for (const t of this.fastTowers ?? []) t.refresh();
    for (const h of heads) h.refresh();
    this.stale = false;
  }

  /**
   * Features of tower `t` for one acting step in the TF.js graph (CNN encoders): with an LSTM, steps
   * the tower's rows of `state` and writes them back (one read-back each, inside the caller's tidy).
   */
  protected towerStepGraph(
    t: number,
    obs: tf.Tensor,
    batch: number,
    state: RecurrentState | undefined,
  ): tf.Tensor2D {
    const tower = this.towers[t];
    const encoded = tower.encode(obs);
    if (!tower.lstm || !state) return encoded;
    const H = this.net.lstm;
    const o = t * state.batch * H;
    const h = tf.tensor2d(state.h.subarray(o, o + batch * H), [batch, H]);
    const c = tf.tensor2d(state.c.subarray(o, o + batch * H), [batch, H]);
    const next = tower.lstm.step(encoded, { h, c });
    state.h.set(next.h.dataSync(), o);
    state.c.set(next.c.dataSync(), o);
    return next.h;
  }

  /** Observations (typed array, N rows) as a tensor [N, ...shape], bytes scaled inside the encoder. */
  observationTensor(observations: ArrayLike<number>, rows: number): tf.Tensor {
    const values =
      observations instanceof Float32Array || observations instanceof Int32Array
        ? observations
        : Float32Array.from(observations);
    return tf.tensor(values, [rows, ...this.observationShape], "float32");
  }

  /**
   * Features [N, F] of tower `index` for N = T × B time-major rows (row t·B + b is env b at step t):
   * with an LSTM, unrolled over T from `initialState` (B envs), zeroing the state where `resets` [T·B]
   * is 1. `finalState`, if given, receives the tower's state after the last step; `encodings`, if
   * given, receives the encoder's output (what a decoder reconstructs from). With net.auxDetach the
   * features continue from the encoder's output without a gradient back into it.
   */
  protected towerFeatures(
    index: number,
    observations: tf.Tensor,
    initialState: RecurrentState | undefined,
    resets: tf.Tensor1D | undefined,
    finalState?: RecurrentState,
    encodings?: tf.Tensor2D[],
  ): tf.Tensor2D {
    const tower = this.towers[index];
    const output = tower.encode(observations);
    encodings?.push(output);
    const encoded = this.net.auxDetach && tower.decoder ? stopGradient(output) : output;
    if (!tower.lstm) return encoded;
    const name = this.constructor.name;
    if (!initialState) throw new Error(`${name}.evaluate: a recurrent network needs the initial state`);
    const B = initialState.batch;
    const H = this.net.lstm;
    const N = encoded.shape[0];
    if (N % B !== 0) throw new Error(`${name}.evaluate: ${N} rows do not split into ${B} envs`);
    const T = N / B;
    const o = index * B * H;
    const h = tf.tensor2d(initialState.h.subarray(o, o + B * H), [B, H]);
    const c = tf.tensor2d(initialState.c.subarray(o, o + B * H), [B, H]);
    const xs = tf.reshape(encoded, [T, B, encoded.shape[1]]) as tf.Tensor3D;
    const masks = resets ? (tf.reshape(resets, [T, B]) as tf.Tensor2D) : undefined;
    const { outputs, state } = tower.lstm.unroll(xs, { h, c }, masks);
    if (finalState) {
      finalState.h.set(state.h.dataSync(), o);
      finalState.c.set(state.c.dataSync(), o);
    }
    return tf.reshape(outputs, [N, H]) as tf.Tensor2D;
  }

  /** Whether the towers have decoders (net.aux "ae"): {@link reconstructionLoss} applies. */
  get hasDecoder(): boolean {
    return this.towers.some((t) => t.decoder !== undefined);
  }

  /**
   * The auxiliary reconstruction loss: the mse between the scaled observations [N, H, W, C] and each
   * tower's decoding of its encoder output (`encodings`, from the forward pass of the RL loss), averaged
   * over the towers that have a decoder.
   */
  reconstructionLoss(observations: tf.Tensor, encodings: readonly tf.Tensor2D[]): tf.Scalar {
    return tf.tidy(() => {
      const losses: tf.Scalar[] = [];
      for (const [t, tower] of this.towers.entries()) {
        if (!tower.decoder) continue;
        losses.push(tower.decoder.loss(encodings[t], this.scaledImages(t, observations)));
      }
      if (losses.length === 0) throw new Error(`${this.constructor.name}: no decoder (net.aux is not "ae")`);
      return (losses.length === 1 ? losses[0] : tf.div(tf.addN(losses), losses.length)) as tf.Scalar;
    });
  }

  /**
   * Tower `t`'s reconstructions of observations (typed array, `rows` rows) and the scaled observations
   * they reconstruct, both [rows, H, W, C] values: what reconstruction pictures show.
   */
  reconstruct(
    observations: ArrayLike<number>,
    rows: number,
    t = 0,
  ): { inputs: Float32Array; outputs: Float32Array } {
    const tower = this.towers[t];
    if (!tower.decoder) throw new Error(`${this.constructor.name}.reconstruct: tower ${t} has no decoder`);
    const both = readValues(() => {
      const obs = this.observationTensor(observations, rows);
      const inputs = this.scaledImages(t, obs);
      return tf.concat([tf.reshape(inputs, [-1]), tf.reshape(tower.decoder!.apply(tower.encode(obs)), [-1])]);
    }) as Float32Array;
    const half = both.length / 2;
    return { inputs: both.slice(0, half), outputs: both.slice(half) };
  }

  /** The observations as tower `t`'s CNN encoder sees them (scaled; bytes × the preset's byteScale). */
  private scaledImages(t: number, observations: tf.Tensor): tf.Tensor4D {
    const scale = (this.towers[t].encoder as CnnEncoder).args.inputScale ?? 1;
    return (scale === 1 ? observations : tf.mul(observations, scale)) as tf.Tensor4D;
  }

  /**
   * The CNN encoders' parameters, keyed "encoder/…" (and "decoder/…" with `withDecoder`) as a
   * pretrained autoencoder's folder holds them, one map per tower: what `--encoder-from` loads.
   */
  encoderParams(withDecoder = false): ParamMap[] {
    return this.towers.map((tower) => {
      const map: ParamMap = new Map();
      if (!(tower.encoder instanceof CnnEncoder)) return map;
      for (const [k, v] of tower.encoder.params()) map.set(`encoder/${k}`, v);
      if (withDecoder && tower.decoder)
        for (const [k, v] of tower.decoder.params()) map.set(`decoder/${k}`, v);
      return map;
    });
  }

  /** Number of trainable values. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.params().values()) n += v.size;
    return n;
  }

  params(): ParamMap {
    return this.parts!.params();
  }

  dispose(): void {
    for (const tower of this.fastTowers ?? []) tower.dispose();
    this.parts!.dispose();
  }
}

/**
 * A policy π(a|o) and a value V(o) for discrete actions, with an optional LSTM memory: what PPO and
 * A2C train. `act` samples actions for a whole vector of envs with one read-back (typed arrays only,
 * for MLP/LSTM encoders); `evaluate` computes log-prob, entropy and value in one graph for the loss.
 * After the weights change (an optimiser step, a checkpoint load) call `weightsChanged()`: the agents'
 * optimiser step does it, so the fast path is never stale.
 */
export class ActorCritic extends TowerNetwork {
  readonly numActions: number;
  readonly actorHead: Mlp;
  readonly criticHead: Mlp;
  private fastHeads?: { actor: MlpBatchFastPath; critic: MlpBatchFastPath };
  private result?: ActResult;

  constructor(args: ActorCriticArgs) {
    const shared = args.net.sharedEncoder;
    super(args, shared ? ["shared"] : ["actor", "critic"]);
    this.numActions = args.numActions;
    const featureDim = this.towers[0].featureDim;
    this.actorHead = new Mlp({
      sizes: [featureDim, args.numActions],
      outputGain: 0.01,
      seed: deriveSeed(args.seed, "init/actorHead"),
    });
    this.criticHead = new Mlp({
      sizes: [featureDim, 1],
      outputGain: 1,
      seed: deriveSeed(args.seed, "init/criticHead"),
    });
    const parts: Record<string, Parameterised> = shared
      ? { shared: this.towers[0] }
      : { actor: this.towers[0], critic: this.towers[1] };
    parts.actorHead = this.actorHead;
    parts.criticHead = this.criticHead;
    this.setParts(parts);
    if (this.fastTowers) {
      this.fastHeads = {
        actor: new MlpBatchFastPath(this.actorHead),
        critic: new MlpBatchFastPath(this.criticHead),
      };
    }
  }

  /**
   * Samples one action per env for observations [B, ...] (row-major), with log-probs and values.
   * With an LSTM, `state` is stepped in place; rows where `episodeStarts[i]` is 1 are zeroed first.
   * `greedy` takes the most probable action instead of sampling.
   */
  act(
    observations: ArrayLike<number>,
    batch: number,
    rng: UniformSource,
    state?: RecurrentState,
    episodeStarts?: ArrayLike<number>,
    greedy = false,
  ): ActResult {
    this.beginAct("ActorCritic.act", observations, batch, state, episodeStarts);
    if (this.result === undefined || this.result.actions.length !== batch) {
      this.result = {
        actions: new Int32Array(batch),
        logProbs: new Float32Array(batch),
        values: new Float32Array(batch),
      };
    }
    const { logits, values } = this.fastHeads
      ? this.forwardFast(observations, batch, state)
      : this.forwardGraph(observations, batch, state);
    const out = this.result;
    out.values.set(values);
    if (greedy) argmaxRowsInto(logits, this.numActions, out.actions);
    else sampleCategorical(logits, rng, this.numActions, out.actions);
    logProbsOf(logits, this.numActions, out.actions, out.logProbs);
    return out;
  }

  /**
   * V(o) of single observations without touching the acting state: the value of a truncated episode's
   * final observation. With an LSTM, row `env` of `state` is the memory the observation is read with.
   */
  override valueOf(observation: ArrayLike<number>, state?: RecurrentState, env = 0): number {
    const single = state ? this.stateRow(state, env) : undefined;
    const obs = Float32Array.from(observation as ArrayLike<number>);
    const { values } = this.fastHeads ? this.forwardFast(obs, 1, single) : this.forwardGraph(obs, 1, single);
    return values[0];
  }

  private forwardFast(
    observations: ArrayLike<number>,
    batch: number,
    state: RecurrentState | undefined,
  ): { logits: Float32Array; values: Float32Array } {
    const heads = this.fastHeads!;
    const towers = this.fastTowers!;
    this.refreshIfStale([heads.actor, heads.critic]);
    const obs = observations instanceof Float32Array ? observations : Float32Array.from(observations);
    const actorFeatures = towers[0].forward(obs, batch, state, 0);
    const logits = heads.actor.forward(actorFeatures, batch);
    const criticFeatures = towers.length === 1 ? actorFeatures : towers[1].forward(obs, batch, state, 1);
    const values = heads.critic.forward(criticFeatures, batch);
    return { logits, values };
  }

  /** The TF.js graph for acting (CNN encoders): one read-back of logits and values together. */
  private forwardGraph(
    observations: ArrayLike<number>,
    batch: number,
    state: RecurrentState | undefined,
  ): { logits: Float32Array; values: Float32Array } {
    const A = this.numActions;
    const both = readValues(() => {
      const obs = this.observationTensor(observations, batch);
      const features = this.towers.map((_, t) => this.towerStepGraph(t, obs, batch, state));
      const logits = this.actorHead.apply(features[0]);
      const values = this.criticHead.apply(features[features.length - 1]);
      return tf.concat([logits, values], 1);
    }) as Float32Array;
    const logits = new Float32Array(batch * A);
    const values = new Float32Array(batch);
    for (let b = 0; b < batch; b++) {
      logits.set(both.subarray(b * (A + 1), b * (A + 1) + A), b * A);
      values[b] = both[b * (A + 1) + A];
    }
    return { logits, values };
  }

  /**
   * log π(a|o), entropy and V(o) for N = T × B rows in one graph (call inside a loss). Rows are
   * time-major (row t·B + b is env b at step t). With an LSTM, the towers are unrolled over T from
   * `initialState` (B envs), zeroing the state where `resets` [T·B] is 1 — the same masks as acting.
   */
  evaluate(
    observations: tf.Tensor,
    actions: tf.Tensor1D,
    initialState?: RecurrentState,
    resets?: tf.Tensor1D,
  ): Evaluation {
    return tf.tidy(() => {
      const { logits, value, encodings } = this.forward(observations, initialState, resets);
      return {
        logProb: logProbOfLabels(logits, actions),
        entropy: categoricalEntropy(logits),
        value,
        encodings,
      };
    });
  }

  /**
   * Logits [N, A] and values [N] in one graph (rows and recurrence as in {@link evaluate}), and each
   * tower's encoder output (for {@link reconstructionLoss}).
   */
  forward(
    observations: tf.Tensor,
    initialState?: RecurrentState,
    resets?: tf.Tensor1D,
  ): { logits: tf.Tensor2D; value: tf.Tensor1D; encodings: tf.Tensor2D[] } {
    return tf.tidy(() => {
      const encodings: tf.Tensor2D[] = [];
      const features = this.towers.map((_, t) =>
        this.towerFeatures(t, observations, initialState, resets, undefined, encodings),
      );
      const logits = this.actorHead.apply(features[0]);
      const value = tf.reshape(this.criticHead.apply(features[features.length - 1]), [-1]) as tf.Tensor1D;
      return { logits, value, encodings };
    });
  }
}

/** What {@link QNetwork.act} returns; the array is reused by the next call with the same batch size. */
export interface QActResult {
  actions: Int32Array;
}

/**
 * Action values Q(o, ·) for discrete actions, with an optional LSTM memory (DRQN): what DQN, Double
 * DQN and DRQN train. One tower (encoder, optional LSTM) and a linear head. `act` is ε-greedy with
 * `epsilon` (the training schedule sets it; a loaded agent uses the run's final ε), on typed arrays
 * for MLP/LSTM encoders; `qValues` is the graph for the loss.
 */
export class QNetwork extends TowerNetwork {
  readonly numActions: number;
  readonly head: Mlp;
  /** Probability of a uniformly random action in `act` when not greedy: ε of ε-greedy. */
  epsilon = 0;
  private readonly fastHead?: MlpBatchFastPath;
  private result?: QActResult;
  private greedyRows = new Uint8Array(0);

  constructor(args: NetworkArgs) {
    super(args, ["q"]);
    this.numActions = args.numActions;
    this.head = new Mlp({
      sizes: [this.towers[0].featureDim, args.numActions],
      outputGain: 1,
      seed: deriveSeed(args.seed, "init/qHead"),
    });
    this.setParts({ q: this.towers[0], head: this.head });
    if (this.fastTowers) this.fastHead = new MlpBatchFastPath(this.head);
  }

  /**
   * One ε-greedy action per env for observations [B, ...] (row-major): per env a coin with
   * probability ε (0 when `greedy`) picks a uniformly random action, else the action of the largest
   * Q-value. The network runs only when some env acts greedily, or always with an LSTM (whose state
   * is stepped in place; rows where `episodeStarts[i]` is 1 are zeroed first).
   */
  act(
    observations: ArrayLike<number>,
    batch: number,
    rng: UniformSource,
    state?: RecurrentState,
    episodeStarts?: ArrayLike<number>,
    greedy = false,
  ): QActResult {
    this.beginAct("QNetwork.act", observations, batch, state, episodeStarts);
    if (this.result === undefined || this.result.actions.length !== batch) {
      this.result = { actions: new Int32Array(batch) };
      this.greedyRows = new Uint8Array(batch);
    }
    const { actions } = this.result;
    const epsilon = greedy ? 0 : this.epsilon;
    let anyGreedy = false;
    for (let i = 0; i < batch; i++) {
      const explore = epsilon > 0 && rng.random() < epsilon;
      if (explore) actions[i] = Math.floor(rng.random() * this.numActions);
      this.greedyRows[i] = explore ? 0 : 1;
      anyGreedy ||= !explore;
    }
    if (anyGreedy || this.recurrent) {
      const q = this.qValuesOf(observations, batch, state);
      const A = this.numActions;
      for (let i = 0; i < batch; i++) {
        if (!this.greedyRows[i]) continue;
        let best = 0;
        for (let a = 1; a < A; a++) if (q[i * A + a] > q[i * A + best]) best = a;
        actions[i] = best;
      }
    }
    return this.result;
  }

  /**
   * Q-values [B × A] (row-major) of observations [B, ...] for acting: typed arrays for MLP/LSTM
   * encoders, one TF.js graph and read-back otherwise. With an LSTM, `state` is stepped in place.
   */
  qValuesOf(observations: ArrayLike<number>, batch: number, state?: RecurrentState): Float32Array {
    if (this.fastHead) {
      this.refreshIfStale([this.fastHead]);
      const obs = observations instanceof Float32Array ? observations : Float32Array.from(observations);
      return this.fastHead.forward(this.fastTowers![0].forward(obs, batch, state, 0), batch);
    }
    return readValues(() =>
      this.head.apply(this.towerStepGraph(0, this.observationTensor(observations, batch), batch, state)),
    ) as Float32Array;
  }

  /**
   * Q-values [N, A] in one graph (call inside a loss). Rows are time-major (row t·B + b is sequence b
   * at step t); with an LSTM the tower is unrolled over T from `initialState` (B sequences), zeroing
   * the state where `resets` [T·B] is 1, and `finalState` (if given) receives the state after step T.
   */
  qValues(
    observations: tf.Tensor,
    initialState?: RecurrentState,
    resets?: tf.Tensor1D,
    finalState?: RecurrentState,
  ): tf.Tensor2D {
    return tf.tidy(() =>
      this.head.apply(this.towerFeatures(0, observations, initialState, resets, finalState)),
    );
  }

  /** {@link qValues} and the encoder's output (for {@link reconstructionLoss}) in one graph. */
  qValuesAndEncodings(
    observations: tf.Tensor,
    initialState?: RecurrentState,
    resets?: tf.Tensor1D,
  ): { q: tf.Tensor2D; encodings: tf.Tensor2D[] } {
    return tf.tidy(() => {
      const encodings: tf.Tensor2D[] = [];
      const q = this.head.apply(
        this.towerFeatures(0, observations, initialState, resets, undefined, encodings),
      );
      return { q, encodings };
    });
  }
}

/** Row-wise argmax of [B, A] logits into `out`. */
function argmaxRowsInto(logits: Float32Array, A: number, out: Int32Array): void {
  for (let b = 0; b < out.length; b++) {
    let best = 0;
    for (let a = 1; a < A; a++) if (logits[b * A + a] > logits[b * A + best]) best = a;
    out[b] = best;
  }
}

/** log-softmax of each row at the chosen action. */
function logProbsOf(logits: Float32Array, A: number, actions: Int32Array, out: Float32Array): void {
  for (let b = 0; b < actions.length; b++) {
    const base = b * A;
    let max = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < A; a++) max = Math.max(max, logits[base + a]);
    let total = 0;
    for (let a = 0; a < A; a++) total += Math.exp(logits[base + a] - max);
    out[b] = logits[base + actions[b]] - max - Math.log(total);
  }
}
