// The `net` field of every agent's config: what the network is made of. This schema is the one source
// of the net config: its types are inferred from it (NetConfig, QNetConfig) and each default is
// written once, here (the autoencoder fields' in AUX_DEFAULTS, see below).
import { z } from "zod";
import { type CoreKind, MEMORY_KINDS, type MemoryKind } from "../src/nn/memory_core";

/** Activations an encoder's layers can use. */
const ActivationSchema = z.enum(["tanh", "relu"]);

/** The fields of the `net` object, before the encoder-dependent default of `hidden` is filled in. */
const NET_FIELDS = z
  .object({
    /** `mlp` for vector observations, `cnn` for images `[H, W, C]` (CNN preset chosen by image size). */
    encoder: z.enum(["mlp", "cnn"]).default("mlp"),
    /**
     * Encoder layer widths. With `mlp`, the MLP's layers ([] = observations as they are); default
     * [64, 64] (CleanRL's PPO; DQN: [120, 84]). With `cnn`, the dense layers after the convolutions;
     * default [] = the CNN preset's own (gridworld7: none, its 64-channel map flattened; dqn2013: 256;
     * natureDqn: 512).
     */
    hidden: z.array(z.number().int().positive()).optional(),
    /** Encoder activation (CleanRL's PPO: tanh; DQN: relu). */
    activation: ActivationSchema.default("tanh"),
    /** LSTM hidden size after the encoder; 0 = no memory. Shorthand for memory "lstm" with memorySize = lstm. */
    lstm: z.number().int().min(0).default(0),
    /**
     * The memory core after the encoder: "rnn" (plain tanh RNN), "gru" (PyTorch's GRU), "lstm", or
     * "none". Absent: net.lstm decides (an LSTM of net.lstm units if > 0, else none). See
     * {@link memoryOf}.
     */
    memory: z.enum(MEMORY_KINDS).optional(),
    /** Width H of the memory core's state (with net.memory; net.lstm gives the LSTM's). */
    memorySize: z.number().int().positive().optional(),
    /** Initial bias of the LSTM's forget gate: 0 as CleanRL; 1 (Jozefowicz et al. 2015, Keras) keeps memories longer at the start. The GRU and the RNN have no forget gate and ignore it. */
    forgetBias: z.number().default(0),
    /**
     * One encoder (and LSTM) for actor and critic, or one each. Default: separate for `mlp` (CleanRL's
     * ppo.py), shared for `cnn` (CleanRL's ppo_atari.py: two CNN towers cost twice the compute of
     * one). DQN has one tower.
     */
    sharedEncoder: z.boolean().optional(),
    // The autoencoder fields are optional, their defaults in AUX_DEFAULTS: a config without an
    // autoencoder (every run before these fields existed) is written and read without them.
    /**
     * Auxiliary loss of a CNN encoder: "ae" gives it a decoder built from its layer shapes, whose
     * reconstruction mse joins the RL loss with weight auxWeight (SAC-AE, UNREAL). Default "none".
     */
    aux: z.enum(["none", "ae"]).optional(),
    /** Weight β of the reconstruction loss beside the RL loss (default 1). */
    auxWeight: z.number().min(0).optional(),
    /** Stop the RL loss's gradient at the encoder's output: the encoder learns from the reconstruction alone (default false). */
    auxDetach: z.boolean().optional(),
    /** Updates between the reconstruction pictures written into the run folder (reconstructions-<step>.png); 0: none (default 50). */
    reconEvery: z.number().int().min(0).optional(),
    /** A folder written by `pomdp pretrain-ae`: the CNN encoder (and with aux "ae" the decoder) starts from its weights (default none). */
    encoderFrom: z.string().min(1).optional(),
    /** Keep the CNN encoder's weights as they are: pretrained with encoderFrom, else as initialised (default false). */
    freezeEncoder: z.boolean().optional(),
    // SAC+AE's recipe (Yarats et al. 2019, github.com/denisyarats/pytorch_sac_ae): the defaults with
    // net.aux "ae" (see autoencoderSettings below).
    /** End the CNN encoder with a LayerNorm and tanh (SAC+AE's bottleneck). Default: true with aux "ae", else false. */
    latentNorm: z.boolean().optional(),
    /**
     * How the reconstruction loss trains: "separate" (SAC+AE, default): after each RL gradient step, a
     * step of its own Adam (lr aeLearningRate, no clipping) on encoder and decoder; "joint": added to
     * the RL loss with weight auxWeight, one optimiser.
     */
    aeOptimizer: z.enum(["separate", "joint"]).optional(),
    /** Learning rate of the "separate" autoencoder optimiser (SAC+AE: 1e-3). */
    aeLearningRate: z.number().positive().optional(),
    /** λ of the L2 penalty on the encoder's output, λ·½‖z‖² (SAC+AE: 1e-6). */
    latentPenalty: z.number().min(0).optional(),
    /** Weight decay of the decoder, as PyTorch Adam's weight_decay (SAC+AE: 1e-7). */
    decoderWeightDecay: z.number().min(0).optional(),
    /** What the decoder reconstructs: "bits5" (SAC+AE, default for pixels: 5-bit, dequantised, centred) or "scaled" (the input as the encoder reads it; default for gridworld codes). */
    reconTarget: z.enum(["bits5", "scaled"]).optional(),
    /**
     * The policy head reads the shared encoder's features without a gradient into them: the value
     * loss (and the reconstruction) train the encoder, as SAC+AE's actor. Default: true with aux "ae"
     * and a shared encoder, else false.
     */
    detachActor: z.boolean().optional(),
  })
  .strict();

/**
 * The autoencoder fields' defaults (absent fields read as these); the decoder's training ones are
 * SAC+AE's (its train.py). `latentNorm` and `detachActor` default by other fields: see
 * {@link autoencoderSettings}.
 */
export const AUX_DEFAULTS = {
  aux: "none",
  auxWeight: 1,
  auxDetach: false,
  reconEvery: 50,
  freezeEncoder: false,
  aeOptimizer: "separate",
  aeLearningRate: 1e-3,
  latentPenalty: 1e-6,
  decoderWeightDecay: 1e-7,
} as const;

/** The autoencoder settings of a `net`, every default filled in (see the fields' docs). */
export interface AutoencoderSettings {
  latentNorm: boolean;
  aeOptimizer: "separate" | "joint";
  aeLearningRate: number;
  latentPenalty: number;
  decoderWeightDecay: number;
  /** "bits5" or "scaled"; undefined: chosen by the encoder's input (bits5 for pixel bytes). */
  reconTarget?: "bits5" | "scaled";
  detachActor: boolean;
}

/** Fills in the autoencoder fields' defaults of a `net` config (without TF.js). */
export function autoencoderSettings(
  net: Pick<NetInput, keyof AutoencoderSettings | "aux" | "sharedEncoder">,
): AutoencoderSettings {
  const ae = net.aux === "ae";
  return {
    latentNorm: net.latentNorm ?? ae,
    aeOptimizer: net.aeOptimizer ?? AUX_DEFAULTS.aeOptimizer,
    aeLearningRate: net.aeLearningRate ?? AUX_DEFAULTS.aeLearningRate,
    latentPenalty: net.latentPenalty ?? AUX_DEFAULTS.latentPenalty,
    decoderWeightDecay: net.decoderWeightDecay ?? AUX_DEFAULTS.decoderWeightDecay,
    reconTarget: net.reconTarget,
    detachActor: net.detachActor ?? (ae && net.sharedEncoder === true),
  };
}

/** A network's memory core and its width H (kind "none", size 0: no memory). */
export interface MemorySpec {
  kind: MemoryKind;
  size: number;
}

/**
 * The memory a (validated) `net` asks for: net.memory with net.memorySize when net.memory is given,
 * else an LSTM of net.lstm units when net.lstm > 0 (the shorthand), else none.
 */
export function memoryOf(net: { lstm?: number; memory?: MemoryKind; memorySize?: number }): MemorySpec {
  if (net.memory === undefined) {
    const lstm = net.lstm ?? 0;
    return lstm > 0 ? { kind: "lstm", size: lstm } : { kind: "none", size: 0 };
  }
  if (net.memory === "none") return { kind: "none", size: 0 };
  return { kind: net.memory, size: net.memorySize ?? net.lstm ?? 0 };
}

/** The core kind of a net with memory (memoryOf's kind, known not to be "none"). */
export function coreKindOf(net: Parameters<typeof memoryOf>[0]): CoreKind | undefined {
  const { kind } = memoryOf(net);
  return kind === "none" ? undefined : kind;
}

/**
 * The memory fields agree: net.memorySize goes with a core, a core has a width (net.memorySize, or
 * net.lstm for "lstm"), and net.lstm > 0 (shorthand for memory "lstm" of that width) does not contradict
 * net.memory / net.memorySize. Each problem is an issue on the field at fault.
 */
function checkMemoryFields(
  net: { lstm?: number; memory?: MemoryKind; memorySize?: number },
  ctx: z.RefinementCtx,
  defaultLstm: number | undefined,
): void {
  const { lstm = 0, memory, memorySize } = net;
  const issue = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
  if (memorySize !== undefined && (memory === undefined || memory === "none")) {
    issue(
      "memorySize",
      `net.memorySize needs net.memory "rnn", "gru" or "lstm" (net.memory is ${memory === undefined ? "absent" : '"none"'})`,
    );
    return;
  }
  if (
    lstm > 0 &&
    memory !== undefined &&
    (memory !== "lstm" || (memorySize !== undefined && memorySize !== lstm))
  ) {
    const other =
      memorySize === undefined
        ? `net.memory "${memory}"`
        : `net.memory "${memory}" with net.memorySize ${memorySize}`;
    issue(
      "lstm",
      `net.lstm ${lstm} (shorthand for net.memory "lstm" with net.memorySize ${lstm}) conflicts with ${other}; give net.lstm or net.memory/net.memorySize`,
    );
    return;
  }
  if (
    memory !== undefined &&
    memory !== "none" &&
    memorySize === undefined &&
    !(memory === "lstm" && lstm > 0)
  ) {
    issue("memory", `net.memory "${memory}" needs net.memorySize (the width H of its state, an integer ≥ 1)`);
    return;
  }
  // DRQN: net.lstm's default (an LSTM) applies unless net.memory is given.
  if (
    defaultLstm !== undefined &&
    memoryOf({ ...net, lstm: net.lstm ?? (memory === undefined ? defaultLstm : 0) }).kind === "none"
  ) {
    issue(
      "memory",
      `DRQN needs a memory core: net.memory "rnn", "gru" or "lstm" with net.memorySize, or net.lstm ≥ 1`,
    );
  }
}

/** CleanRL's MLP encoders: PPO's two tanh layers of 64, DQN's 120-84 ReLU. */
const PPO_MLP = { hidden: [64, 64], activation: "tanh" } as const;
const DQN_MLP = { hidden: [120, 84], activation: "relu" } as const;

/**
 * A `net` schema with `mlpHidden` as the MLP's default layers: a `cnn` encoder without `hidden` gets
 * [] (its preset's dense layers) instead, so `--net cnn` never inherits the MLP's widths; likewise
 * `sharedEncoder` defaults to false for `mlp` and true for `cnn` (where the schema has it).
 * Fields keep their order in the output (config.json reads as before).
 */
function withHiddenDefault<S extends z.ZodObject<z.ZodRawShape>>(
  fields: S,
  mlpHidden: readonly number[],
  defaultLstm?: number,
) {
  return fields
    .superRefine((net, ctx) => checkMemoryFields(net, ctx, defaultLstm))
    .transform((net) => {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(fields.shape)) {
        if (key === "hidden") out.hidden = net.hidden ?? (net.encoder === "cnn" ? [] : [...mlpHidden]);
        // DRQN's default memory, an LSTM, unless net.memory names one (then net.lstm reads 0).
        else if (key === "lstm") out.lstm = net.lstm ?? (net.memory === undefined ? defaultLstm : 0);
        else if (key === "sharedEncoder") out.sharedEncoder = net.sharedEncoder ?? net.encoder === "cnn";
        else if (key in net) out[key] = net[key as keyof typeof net];
      }
      return out as z.output<S> & {
        hidden: number[];
        lstm: number;
      } & ("sharedEncoder" extends keyof z.output<S> ? { sharedEncoder: boolean } : unknown);
    });
}

/** The actor-critic's `net` (PPO, A2C). */
export const NetSchema = withHiddenDefault(NET_FIELDS, PPO_MLP.hidden);

/** DQN's Q-network: CleanRL's dqn.py QNetwork by default (120-84 ReLU, then a linear Q head); one tower. */
const Q_NET_FIELDS = NET_FIELDS.omit({ sharedEncoder: true }).extend({
  activation: ActivationSchema.default(DQN_MLP.activation),
});
export const QNetSchema = withHiddenDefault(Q_NET_FIELDS, DQN_MLP.hidden);

/** DRQN's Q-network: DQN's with a memory core (default an LSTM of 64: net.lstm 64; or net.memory with net.memorySize). */
export const DrqnNetSchema = withHiddenDefault(
  Q_NET_FIELDS.extend({ lstm: z.number().int().positive().optional() }),
  DQN_MLP.hidden,
  64,
);

/** A validated actor-critic `net` config: every default filled in. */
export type NetConfig = z.output<typeof NetSchema>;

/** What a network is built from: an actor-critic's or a Q-network's net config (which has one tower). */
export type NetSpec = Omit<NetConfig, "sharedEncoder"> & { sharedEncoder?: boolean };

/** A `net` config as given (absent fields take their defaults); what networks are built from. */
export type NetInput = z.input<typeof NET_FIELDS>;

/** The `net` fields about autoencoders, as every agent's config has them. */
export type AuxNetConfig = Pick<
  NetSpec,
  | "encoder"
  | "aux"
  | "auxWeight"
  | "auxDetach"
  | "reconEvery"
  | "encoderFrom"
  | "freezeEncoder"
  | keyof AutoencoderSettings
  | "sharedEncoder"
>;
