// The README's speed table, generated from `pomdp bench envs` / `pomdp bench nn` output (`pomdp bench
// table`): one row per figure, with the measured value, a Python peer's figure where there is one, and
// the ratio. The peers cannot be run here, so their figures are constants, labelled with their source.
import * as os from "node:os";

/** Markers around the generated block in README.md; everything outside them is left as it is. */
export const SPEED_TABLE_START = "<!-- speed-table:start -->";
export const SPEED_TABLE_END = "<!-- speed-table:end -->";

/** How a figure is shown; rates (M, SPS) are better higher, durations (ms, µs) lower. */
export type SpeedUnit = "M" | "SPS" | "ms" | "µs";

/** Where a peer figure comes from: shown as a numbered note under the table. */
export interface PeerSource {
  id: number;
  text: string;
}

export const PEER_SOURCES = {
  readme: {
    id: 1,
    text:
      "this README's hand-typed table of 2026-11-25 (commit d853d1f); `../shared/peers/env_speed.py` and " +
      "`torch_steps.py` measure them again",
  },
  peersReadme: { id: 2, text: "`../shared/peers/README.md` (quiet machine)" },
  sideBySide: {
    id: 3,
    text: "PyTorch 2.13 with MKL (both cores), measured side by side with `pomdp bench nn` on these machines (issue 10)",
  },
  recurrentPeer: {
    id: 4,
    text:
      "`experiments/peers/torch_recurrent.py` (nn.LSTM / nn.GRU / nn.RNN on the same shapes, PyTorch 2.13 with MKL, " +
      "2 threads), run beside ours by `experiments/bench-recurrent.ts` on 2026-12-02, three runs",
  },
} satisfies Record<string, PeerSource>;

/** A Python peer's figure for the same work: one value or a [low, high] range, in the row's unit. */
export interface Peer {
  label: string;
  value: number | readonly [number, number];
  source: PeerSource;
  /** Shown before the value: "~" for an approximate figure. */
  approx?: boolean;
}

/** One row of the table: the bench JSON key it shows, what it measures, and its peer if any. */
export interface SpeedRowSpec {
  key: string;
  what: string;
  unit: SpeedUnit;
  peer?: Peer;
  /** Extra words for the peer column (e.g. what else cannot do it). */
  note?: string;
}

const M = 1e6;

/**
 * The rows, in table order. A row appears when the bench output has its key, so rows for figures not
 * measured yet (the agents' SPS) can wait here with their peers; keys of the bench output that no row
 * names are appended at the end with a unit guessed from their suffix.
 */
export const SPEED_ROWS: readonly SpeedRowSpec[] = [
  {
    key: "cartpoleRawStepsPerSec",
    what: "the env class",
    unit: "M",
    peer: {
      label: "Gymnasium's Python CartPole",
      value: [0.07 * M, 0.17 * M],
      source: PEER_SOURCES.readme,
    },
  },
  { key: "cartpoleMakeStepsPerSec", what: "through `make`", unit: "M" },
  { key: "cartpoleVec16StepsPerSec", what: "`SyncVectorEnv` of 16", unit: "M" },
  { key: "cartpolePixelFramesPerSec", what: "Gymnasium's picture, 64 × 64 grey", unit: "M" },
  { key: "cartpoleBoldPixelFramesPerSec", what: "48 × 48 grey, bold, anti-aliased", unit: "M" },
  {
    key: "minigridEmpty8StepsPerSec",
    what: "7 × 7 encoding",
    unit: "M",
    peer: { label: "Python Minigrid", value: 0.01 * M, approx: true, source: PEER_SOURCES.readme },
  },
  {
    key: "mlpTrainMs",
    what: "4-64-64-2 tanh, batch 256, Adam",
    unit: "ms",
    peer: { label: "PyTorch 2.13 (MKL)", value: 0.8, source: PEER_SOURCES.readme },
  },
  {
    key: "lstmTrainMs",
    what: "LSTM(64) over [16, 32, 4]",
    unit: "ms",
    peer: { label: "PyTorch", value: [2.0, 2.7], source: PEER_SOURCES.recurrentPeer },
  },
  {
    key: "gruTrainMs",
    what: "GRU(64) over [16, 32, 4]",
    unit: "ms",
    peer: { label: "PyTorch", value: [4.0, 6.3], source: PEER_SOURCES.recurrentPeer },
  },
  {
    key: "rnnTrainMs",
    what: "tanh RNN(64) over [16, 32, 4]",
    unit: "ms",
    peer: { label: "PyTorch", value: [2.0, 3.2], source: PEER_SOURCES.recurrentPeer },
  },
  {
    key: "cnnTrainMs",
    what: "Nature CNN, 32 × 84 × 84 × 4",
    unit: "ms",
    peer: { label: "PyTorch", value: 39, source: PEER_SOURCES.sideBySide },
    note: "stock TF.js wasm: cannot train",
  },
  {
    key: "cnnTrainMsBatch4",
    what: "Nature CNN, 4 × 84 × 84 × 4; `cpu` backend only",
    unit: "ms",
  },
  {
    key: "cnnFwdMs",
    what: "Nature CNN forward, batch 32",
    unit: "ms",
    peer: { label: "PyTorch", value: 5.6, source: PEER_SOURCES.sideBySide },
  },
  { key: "cnnTrainMainCpuMs", what: "CPU time of the main thread per Nature-CNN training step", unit: "ms" },
  { key: "cnnTrainPoolCpuMs", what: "CPU time of the other wasm threads per training step", unit: "ms" },
  { key: "cnnFwdMainCpuMs", what: "CPU time of the main thread per forward pass", unit: "ms" },
  { key: "cnnFwdPoolCpuMs", what: "CPU time of the other wasm threads per forward pass", unit: "ms" },
  {
    key: "mlpActUs",
    what: "batch-1 action, typed-array fast path",
    unit: "µs",
    peer: { label: "PyTorch", value: [19, 23], source: PEER_SOURCES.readme },
  },
  // Agents: env steps per second of `pomdp train` (experiments/bench-agents.ts prints these keys).
  {
    key: "ppoCartPoleSps",
    what: "PPO (MLP) on CartPole-v1",
    unit: "SPS",
    peer: { label: "CleanRL PPO", value: [4900, 5100], source: PEER_SOURCES.peersReadme },
  },
  {
    key: "recurrentPpoCartPoleSps",
    what: "recurrent PPO on CartPole-v1, CleanRL-style settings",
    unit: "SPS",
    peer: {
      label: "CleanRL-style PPO-LSTM",
      value: [1900, 2100],
      source: PEER_SOURCES.peersReadme,
    },
  },
  {
    key: "recurrentPpoNoVelPresetSps",
    what: "recurrent PPO on CartPole-NoVel-v1, RL Zoo settings",
    unit: "SPS",
    peer: {
      label: "PPO-LSTM, RL Zoo settings + normalization",
      value: 724,
      source: PEER_SOURCES.peersReadme,
    },
  },
  {
    key: "dqnCartPoleSps",
    what: "DQN on CartPole-v1",
    unit: "SPS",
    peer: { label: "CleanRL DQN", value: 3389, source: PEER_SOURCES.peersReadme },
  },
];

/** Keys of the bench output that describe the run rather than measure something. */
const META_KEYS = new Set([
  "date",
  "cpu",
  "cores",
  "machine",
  "node",
  "load",
  "backend",
  "tfjs",
  "skipped",
  "wasmBuild",
  "wasmThreads",
  "wasmThreadsChoice",
  "wasmThreadsMinFlops",
]);

/**
 * The bench output the table is made from: the JSON lines of `pomdp bench envs` and `pomdp bench nn`
 * merged into one object (figures, `skipped`, and the machine: `date`, `cpu`, `cores`, `node`,
 * `backend`, `tfjs`).
 */
export type BenchFigures = Record<string, unknown>;

/** A rendered row. */
export interface SpeedRow {
  figure: string;
  measured: string;
  peer: string;
  ratio: string;
}

/**
 * The machine fields `pomdp bench` adds to its JSON lines: today's date, CPU, cores, Node, and the 1-min
 * load average when it started (other work on a shared machine moves every figure).
 */
export function machineInfo(now = new Date()): {
  date: string;
  cpu: string;
  cores: number;
  node: string;
  load: number;
} {
  const cpus = os.cpus();
  return {
    date: now.toISOString().slice(0, 10),
    cpu: cpus[0]?.model.trim() ?? "unknown CPU",
    cores: cpus.length,
    node: process.version,
    load: Number(os.loadavg()[0].toFixed(1)),
  };
}

/** Three significant figures, without exponents, thousands grouped from 1,000 on. */
export function formatNumber(x: number): string {
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString("en-US");
  if (x === 0) return "0";
  return String(Number(x.toPrecision(3)));
}

function scaled(value: number, unit: SpeedUnit): number {
  return unit === "M" ? value / M : value;
}

function withUnit(text: string, unit: SpeedUnit): string {
  return unit === "SPS" ? `${text} SPS` : `${text} ${unit}`;
}

function formatValue(value: number, unit: SpeedUnit): string {
  return withUnit(formatNumber(scaled(value, unit)), unit);
}

function formatPeerValue(peer: Peer, unit: SpeedUnit): string {
  const v = peer.value;
  const text =
    typeof v === "number"
      ? formatNumber(scaled(v, unit))
      : `${formatNumber(scaled(v[0], unit))}–${formatNumber(scaled(v[1], unit))}`;
  return withUnit(`${peer.approx ? "~" : ""}${text}`, unit);
}

function formatFactor(x: number): string {
  return x >= 10 ? Math.round(x).toLocaleString("en-US") : String(Number(x.toPrecision(2)));
}

/**
 * How many times faster than the peer: measured / peer for rates, peer / measured for durations; a
 * range for a peer range. "3.1× faster", "1.2× slower", "0.9–1.1×".
 */
export function formatRatio(measured: number, peer: Peer, unit: SpeedUnit): string {
  const higherIsBetter = unit === "M" || unit === "SPS";
  const speedup = (p: number) => (higherIsBetter ? measured / p : p / measured);
  const [lo, hi] = (
    typeof peer.value === "number"
      ? [speedup(peer.value), speedup(peer.value)]
      : [speedup(peer.value[0]), speedup(peer.value[1])]
  ).sort((a, b) => a - b);
  const approx = peer.approx ? "~" : "";
  const range = (a: number, b: number) => {
    const [x, y] = [formatFactor(a), formatFactor(b)];
    return x === y ? x : `${x}–${y}`;
  };
  if (lo >= 1) return `${approx}${range(lo, hi)}× faster`;
  if (hi < 1) return `${approx}${range(1 / hi, 1 / lo)}× slower`;
  return `${approx}${range(lo, hi)}× the peer's speed`;
}

/** Guesses the unit of a figure no row names, from its key's suffix. */
function guessUnit(key: string): SpeedUnit {
  if (/PerSec$/.test(key)) return "M";
  if (/Sps$/.test(key)) return "SPS";
  if (/Us(Batch\d+)?$/.test(key)) return "µs";
  return "ms";
}

/** The rows for the figures present in `figures`, in {@link SPEED_ROWS} order, then any others. */
export function speedRows(figures: BenchFigures, specs: readonly SpeedRowSpec[] = SPEED_ROWS): SpeedRow[] {
  const known = new Set(specs.map((s) => s.key));
  const extra: SpeedRowSpec[] = Object.keys(figures)
    .filter((k) => !known.has(k) && !META_KEYS.has(k) && typeof figures[k] === "number")
    .map((key) => ({ key, what: "", unit: guessUnit(key) }));
  const rows: SpeedRow[] = [];
  for (const spec of [...specs, ...extra]) {
    const value = figures[spec.key];
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    const peerParts: string[] = [];
    if (spec.peer) {
      const p = spec.peer;
      peerParts.push(`${p.label}: ${formatPeerValue(p, spec.unit)} (${p.source.id})`);
    }
    if (spec.note) peerParts.push(spec.note);
    rows.push({
      figure: spec.what === "" ? `\`${spec.key}\`` : `\`${spec.key}\` (${spec.what})`,
      measured: formatValue(value, spec.unit),
      peer: peerParts.join("; "),
      ratio: spec.peer ? formatRatio(value, spec.peer, spec.unit) : "",
    });
  }
  return rows;
}

function str(x: unknown, fallback: string): string {
  return typeof x === "string" && x !== "" ? x : typeof x === "number" ? String(x) : fallback;
}

/**
 * The markdown between the markers: a line naming the run (date, machine, Node, TF.js backend), the
 * table, the figures left out and why, and the peers' sources.
 */
export function renderSpeedTable(figures: BenchFigures, specs: readonly SpeedRowSpec[] = SPEED_ROWS): string {
  const rows = speedRows(figures, specs);
  const cores = figures.cores === undefined ? "" : ` (${str(figures.cores, "?")} cores)`;
  const tfjs = figures.tfjs === undefined ? "TF.js" : `TF.js ${str(figures.tfjs, "?")}`;
  const threads =
    typeof figures.wasmThreads === "number"
      ? ` (${figures.wasmThreads} thread${figures.wasmThreads === 1 ? "" : "s"})`
      : "";
  const backend = figures.backend === undefined ? "" : `, ${tfjs} on ${str(figures.backend, "?")}${threads}`;
  const load = typeof figures.load === "number" ? ` (1-min load average ${figures.load} at the start)` : "";
  const date = str(figures.date, "on an unknown date").replace(/^(\d{4}-\d{2}-\d{2})T.*$/, "$1");
  const lines = [
    `Measured ${date} on ${str(figures.cpu, str(figures.machine, "an unknown CPU"))}${cores}, ` +
      `Node ${str(figures.node, "?")}${backend}${load}, by \`pomdp bench table\`.`,
    "Ratio: how many times faster than the Python peer, whose figures are constants measured on a " +
      "machine of the same kind (sources below), not in this run; such machines differ by 2–3×.",
    "",
    "| figure | measured | peer (Python) | ratio |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${r.figure} | ${r.measured} | ${r.peer} | ${r.ratio} |`),
  ];
  const skipped = figures.skipped;
  if (skipped !== null && typeof skipped === "object" && Object.keys(skipped).length > 0) {
    lines.push("");
    for (const [key, reason] of Object.entries(skipped as Record<string, unknown>))
      lines.push(`Not measured: \`${key}\`: ${str(reason, "no reason given")}.`);
  }
  const usedSources = new Map<number, PeerSource>();
  for (const spec of specs)
    if (spec.peer && typeof figures[spec.key] === "number")
      usedSources.set(spec.peer.source.id, spec.peer.source);
  if (usedSources.size > 0) {
    lines.push("");
    const sorted = [...usedSources.values()].sort((a, b) => a.id - b.id);
    lines.push(
      `Peers, measured on a machine of the same kind: ${sorted.map((s) => `(${s.id}) ${s.text}`).join("; ")}.`,
    );
  }
  return lines.join("\n");
}

/**
 * `text` with everything between {@link SPEED_TABLE_START} and {@link SPEED_TABLE_END} replaced by
 * `block` (the markers stay, each on its own line); throws unless each marker occurs once, in order.
 */
export function replaceSpeedTable(text: string, block: string): string {
  const count = (marker: string) => text.split(marker).length - 1;
  for (const marker of [SPEED_TABLE_START, SPEED_TABLE_END]) {
    const n = count(marker);
    if (n !== 1)
      throw new Error(`expected the marker ${marker} once, found it ${n === 0 ? "nowhere" : `${n} times`}`);
  }
  const start = text.indexOf(SPEED_TABLE_START) + SPEED_TABLE_START.length;
  const end = text.indexOf(SPEED_TABLE_END);
  if (end < start) throw new Error(`${SPEED_TABLE_END} comes before ${SPEED_TABLE_START}`);
  return `${text.slice(0, start)}\n${block.trimEnd()}\n${text.slice(end)}`;
}

/** Merges bench JSON lines (later lines win; their `skipped` entries are added up). */
export function mergeBenchLines(lines: readonly BenchFigures[]): BenchFigures {
  const merged: BenchFigures = {};
  let skipped: Record<string, unknown> = {};
  for (const line of lines) {
    Object.assign(merged, line);
    if (line.skipped !== null && typeof line.skipped === "object")
      skipped = { ...skipped, ...(line.skipped as Record<string, unknown>) };
  }
  if (Object.keys(skipped).length > 0 || "skipped" in merged) merged.skipped = skipped;
  return merged;
}

/** Parses a file of bench output: JSON lines (other lines, such as logs, are an error). */
export function parseBenchOutput(text: string, name: string): BenchFigures[] {
  const objects: BenchFigures[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${name}, line ${i + 1}: not a JSON line of \`pomdp bench\`: ${line.slice(0, 60)}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new Error(`${name}, line ${i + 1}: expected a JSON object`);
    objects.push(value as BenchFigures);
  });
  return objects;
}
