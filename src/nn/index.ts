/**
 * Deep-learning building blocks on TensorFlow.js: backend choice, MLP, CNN encoder, memory cores
 * (plain RNN, GRU, LSTM), autoencoder, heads, losses, Adam and RMSprop with clipping, checkpoints, seeded initialisers.
 */

export { deriveSeed, Rng, type RngState, type Seed, type UniformSource } from "../core/rng";
export {
  type AutoencoderArgs,
  autoencoderLoss,
  ConvAutoencoder,
  type ReconstructionLossArgs,
  type ReconTarget,
  reconstructionTarget,
} from "./autoencoder";
export {
  BACKEND_ENV_VAR,
  BACKEND_NAMES,
  type BackendName,
  currentBackend,
  initBackend,
  parseBackendName,
} from "./backend";
export { benchNn, type NnBenchResult } from "./bench";
export {
  BINARY_FILE,
  loadCheckpoint,
  loadCheckpointFiles,
  MANIFEST_FILE,
  readCheckpointMetadata,
  saveCheckpoint,
} from "./checkpoint";
export {
  CNN_PRESETS,
  type CnnArgs,
  CnnEncoder,
  type CnnPresetName,
  type ConvLayerSpec,
  cnnPreset,
  convOutputSize,
  convStackShapes,
} from "./cnn";
export { ConvDecoder, type ConvDecoderArgs, decoderSteps } from "./decoder";
export {
  argmaxRow,
  argmaxRowsInto,
  LstmFastPath,
  logProbsInto,
  logSoftmaxAt,
  logSoftmaxRowInto,
  lstmCellInto,
  MlpBatchFastPath,
  MlpFastPath,
  type SoftmaxParts,
  softmaxParts,
} from "./fast_path";
export { StepwiseCoreFastPath } from "./fast_path_cores";
export { Gru, type GruArgs } from "./gru";
export { fusedGruUnroll } from "./gru-fused";
export {
  argmaxRows,
  CategoricalPolicyHead,
  type CategoricalPolicyHeadArgs,
  categoricalEntropy,
  type HeadArgs,
  QHead,
  type QHeadArgs,
  sampleCategorical,
  ValueHead,
} from "./heads";
export {
  constantInit,
  fans,
  glorotUniformInit,
  type Initializer,
  initialValues,
  orthogonalInit,
  zerosInit,
} from "./init";
export { type Activation, activate, denseForward, fastTanh, readValues } from "./layers";
export { nnLogger } from "./log";
export { crossEntropyLoss, huberLoss, logProbOfLabels, mseLoss } from "./losses";
export { Lstm, type LstmArgs, type LstmState, type LstmUnrollResult } from "./lstm";
export { fusedLstmUnroll } from "./lstm-fused";
export { type MemoryCoreArgs, makeMemoryCore } from "./memory";
export {
  CORE_LABELS,
  type CoreKind,
  MEMORY_KINDS,
  type MemoryCore,
  type MemoryKind,
  type MemoryState,
  type MemoryUnrollResult,
} from "./memory_core";
export { Mlp, type MlpArgs } from "./mlp";
export {
  type AdamState,
  ClippedAdam,
  type ClippedAdamArgs,
  ClippedOptimizer,
  type ClippedOptimizerArgs,
  ClippedRmsprop,
  type ClippedRmspropArgs,
  type OptimizerKind,
  type OptimizerState,
  type RmspropState,
  type StepResult,
} from "./optimizer";
export {
  Composite,
  disposeParams,
  joinParams,
  makeVariable,
  type Parameterised,
  type ParamMap,
} from "./params";
export { Rnn, type RnnArgs } from "./rnn";
export { fusedRnnUnroll } from "./rnn-fused";
export { StepwiseCore, type StepwiseCoreArgs } from "./stepwise_core";
