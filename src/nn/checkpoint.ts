import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as tf from "@tensorflow/tfjs";
import type { ClippedOptimizer, OptimizerKind } from "./optimizer";
import type { ParamMap } from "./params";

/** Name of the manifest file in a checkpoint folder. */
export const MANIFEST_FILE = "weights.json";
/** Name of the binary file (little-endian float32, tensors back to back) in a checkpoint folder. */
export const BINARY_FILE = "weights.bin";
const FORMAT = "pomdp-nn-checkpoint";
const VERSION = 1;

/** One tensor in the binary file. */
interface TensorEntry {
  /** Parameter path, or "optimizer/<slot>/<path>" (Adam: slots m and v; RMSprop: squareAvg). */
  name: string;
  /** Shape of the tensor. */
  shape: number[];
  /** Offset in float32 elements. */
  offset: number;
}

/** Contents of the manifest. */
interface Manifest {
  format: string;
  version: number;
  /** Byte length of the binary file. */
  byteLength: number;
  /** CRC-32 of the binary file. */
  crc32: number;
  tensors: TensorEntry[];
  /** Which optimiser and its step count, when the optimiser was saved (its slots are tensors). */
  optimizer?: { kind: OptimizerKind; step: number };
  /** Free-form data of the caller (e.g. the run config). */
  metadata?: unknown;
}

/**
 * Writes the parameters (and the optimiser's kind, step and slots) to `dir` as weights.json + weights.bin
 * with plain `fs`; creates the folder. Files are written to temporaries and renamed so that a crash does
 * not leave a half-written checkpoint.
 */
export function saveCheckpoint(
  dir: string,
  params: ParamMap,
  optimizer?: ClippedOptimizer,
  metadata?: unknown,
): void {
  const arrays: { name: string; shape: number[]; values: Float32Array }[] = [];
  for (const [name, variable] of params) {
    arrays.push({ name, shape: [...variable.shape], values: variable.dataSync() as Float32Array });
  }
  let optimizerInfo: Manifest["optimizer"];
  if (optimizer !== undefined) {
    const state = optimizer.getSlotState();
    optimizerInfo = { kind: optimizer.kind, step: state.step };
    for (const [slot, values] of state.slots) {
      for (const [name, variable] of params) {
        arrays.push({
          name: `optimizer/${slot}/${name}`,
          shape: [...variable.shape],
          values: values.get(name)!,
        });
      }
    }
  }
  const total = arrays.reduce((n, a) => n + a.values.length, 0);
  const data = new Float32Array(total);
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const a of arrays) {
    data.set(a.values, offset);
    tensors.push({ name: a.name, shape: a.shape, offset });
    offset += a.values.length;
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const manifest: Manifest = {
    format: FORMAT,
    version: VERSION,
    byteLength: bytes.byteLength,
    crc32: zlib.crc32(bytes),
    tensors,
    optimizer: optimizerInfo,
    metadata,
  };
  fs.mkdirSync(dir, { recursive: true });
  const binPath = path.join(dir, BINARY_FILE);
  const manifestPath = path.join(dir, MANIFEST_FILE);
  fs.writeFileSync(`${binPath}.tmp`, bytes);
  fs.writeFileSync(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 1)}\n`);
  fs.renameSync(`${binPath}.tmp`, binPath);
  fs.renameSync(`${manifestPath}.tmp`, manifestPath);
}

function readManifest(manifestPath: string): Manifest {
  let text: string;
  try {
    text = fs.readFileSync(manifestPath, "utf8");
  } catch (err) {
    throw new Error(`cannot read checkpoint manifest ${manifestPath}: ${(err as Error).message}`);
  }
  return parseManifest(text, manifestPath);
}

/** The manifest in `text` (from `manifestPath`, for messages); not one is an error saying why. */
function parseManifest(text: string, manifestPath: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`corrupt checkpoint manifest ${manifestPath}: not JSON (${(err as Error).message})`);
  }
  const m = parsed as Partial<Manifest>;
  if (m === null || typeof m !== "object" || m.format !== FORMAT || m.version !== VERSION) {
    throw new Error(`checkpoint manifest ${manifestPath} is not a ${FORMAT} version ${VERSION} file`);
  }
  if (!Array.isArray(m.tensors) || typeof m.byteLength !== "number" || typeof m.crc32 !== "number") {
    throw new Error(`corrupt checkpoint manifest ${manifestPath}: missing tensors, byteLength or crc32`);
  }
  return m as Manifest;
}

/** Reads only the free-form metadata stored with a checkpoint. */
export function readCheckpointMetadata(dir: string): unknown {
  return readManifest(path.join(dir, MANIFEST_FILE)).metadata;
}

/**
 * Loads a checkpoint written by {@link saveCheckpoint} into existing parameters (and optimiser, which
 * must be of the kind that was saved). Every parameter must be present with the same shape; a missing,
 * truncated, altered or mismatched file is an error naming the file and what was expected. Nothing is
 * assigned unless everything checks out.
 */
export function loadCheckpoint(dir: string, params: ParamMap, optimizer?: ClippedOptimizer): unknown {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  const binPath = path.join(dir, BINARY_FILE);
  const manifest = readManifest(manifestPath);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(binPath);
  } catch (err) {
    throw new Error(`cannot read checkpoint weights ${binPath}: ${(err as Error).message}`);
  }
  return assignCheckpoint(manifest, bytes, params, optimizer, { manifestPath, binPath });
}

/**
 * {@link loadCheckpoint} of a checkpoint's two files already read (the browser page gets them from a
 * dropped run folder): `manifestText` of weights.json and `bytes` of weights.bin; `where` names them in
 * messages. The same checks, and nothing is assigned unless everything checks out.
 */
export function loadCheckpointFiles(
  manifestText: string,
  bytes: Uint8Array,
  params: ParamMap,
  where: { manifestPath: string; binPath: string },
  optimizer?: ClippedOptimizer,
): unknown {
  return assignCheckpoint(parseManifest(manifestText, where.manifestPath), bytes, params, optimizer, where);
}

function assignCheckpoint(
  manifest: Manifest,
  bytes: Uint8Array,
  params: ParamMap,
  optimizer: ClippedOptimizer | undefined,
  { manifestPath, binPath }: { manifestPath: string; binPath: string },
): unknown {
  if (bytes.byteLength !== manifest.byteLength) {
    throw new Error(
      `corrupt checkpoint weights ${binPath}: ${bytes.byteLength} bytes, expected ${manifest.byteLength} (from ${manifestPath})`,
    );
  }
  if (zlib.crc32(bytes) !== manifest.crc32) {
    throw new Error(`corrupt checkpoint weights ${binPath}: CRC-32 differs from the one in ${manifestPath}`);
  }
  // Copy into an aligned buffer: the Buffer's offset may not be a multiple of 4.
  const data = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(data.buffer).set(bytes);
  const entries = new Map(manifest.tensors.map((t) => [t.name, t]));
  const take = (name: string, shape: readonly number[]): Float32Array => {
    const entry = entries.get(name);
    if (entry === undefined) throw new Error(`checkpoint ${manifestPath} has no tensor "${name}"`);
    if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `checkpoint ${manifestPath}: tensor "${name}" has shape [${entry.shape}], expected [${shape}]`,
      );
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (entry.offset < 0 || entry.offset + size > data.length) {
      throw new Error(`checkpoint ${manifestPath}: tensor "${name}" lies outside ${binPath}`);
    }
    return data.subarray(entry.offset, entry.offset + size);
  };
  const values = new Map<string, Float32Array>();
  for (const [name, variable] of params) values.set(name, take(name, variable.shape));
  if (optimizer !== undefined) {
    if (manifest.optimizer === undefined)
      throw new Error(`checkpoint ${manifestPath} has no optimizer state`);
    if (manifest.optimizer.kind !== optimizer.kind) {
      throw new Error(
        `checkpoint ${manifestPath}: optimizer state is ${manifest.optimizer.kind}, expected ${optimizer.kind}`,
      );
    }
    const slots = new Map<string, Map<string, Float32Array>>();
    for (const slot of optimizer.slotNames) {
      const values = new Map<string, Float32Array>();
      for (const [name, variable] of params)
        values.set(name, take(`optimizer/${slot}/${name}`, variable.shape));
      slots.set(slot, values);
    }
    optimizer.setSlotState({ step: manifest.optimizer.step, slots });
  }
  for (const [name, variable] of params) {
    tf.tidy(() => variable.assign(tf.tensor(values.get(name)!, variable.shape, "float32")));
  }
  return manifest.metadata;
}
