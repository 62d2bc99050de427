import { describe, expect, it } from "vitest";
import {
  formatRatio,
  mergeBenchLines,
  parseBenchOutput,
  renderSpeedTable,
  replaceSpeedTable,
  SPEED_TABLE_END,
  SPEED_TABLE_START,
  type SpeedRowSpec,
  speedRows,
} from "../../src/report/speed_table";

const envs = {
  date: "2026-12-01",
  cpu: "Test CPU @ 2.0GHz",
  cores: 2,
  node: "v20.1.0",
  cartpoleRawStepsPerSec: 22_912_345,
  cartpoleMakeStepsPerSec: 21_300_000,
  minigridEmpty8StepsPerSec: 1_440_000,
};
const nn = {
  date: "2026-12-01",
  cpu: "Test CPU @ 2.0GHz",
  cores: 2,
  node: "v20.1.0",
  load: 0.4,
  backend: "cpu",
  tfjs: "4.22.0",
  mlpTrainMs: 0.934,
  lstmTrainMs: 6.1,
  cnnTrainMsBatch4: 5123.4,
  cnnFwdMs: 512.35,
  mlpActUs: 5.93,
  skipped: { cnnTrainMs: "too slow on cpu" },
};

describe("speed table", () => {
  it("renders rows from the bench JSON, with peers, ratios, skipped figures and the peers' sources", () => {
    const figures = mergeBenchLines([envs, nn]);
    expect(renderSpeedTable(figures)).toBe(
      [
        "Measured 2026-12-01 on Test CPU @ 2.0GHz (2 cores), Node v20.1.0, TF.js 4.22.0 on cpu " +
          "(1-min load average 0.4 at the start), by `pomdp bench table`.",
        "Ratio: how many times faster than the Python peer, whose figures are constants measured on a " +
          "machine of the same kind (sources below), not in this run; such machines differ by 2–3×.",
        "",
        "| figure | measured | peer (Python) | ratio |",
        "|---|---|---|---|",
        "| `cartpoleRawStepsPerSec` (the env class) | 22.9 M | Gymnasium's Python CartPole: 0.07–0.17 M (1) | 135–327× faster |",
        "| `cartpoleMakeStepsPerSec` (through `make`) | 21.3 M |  |  |",
        "| `minigridEmpty8StepsPerSec` (7 × 7 encoding) | 1.44 M | Python Minigrid: ~0.01 M (1) | ~144× faster |",
        "| `mlpTrainMs` (4-64-64-2 tanh, batch 256, Adam) | 0.934 ms | PyTorch 2.13 (MKL): 0.8 ms (1) | 1.2× slower |",
        "| `lstmTrainMs` (LSTM(64) over [16, 32, 4]) | 6.1 ms | PyTorch: 2–2.7 ms (4) | 2.3–3× slower |",
        "| `cnnTrainMsBatch4` (Nature CNN, 4 × 84 × 84 × 4; `cpu` backend only) | 5,123 ms |  |  |",
        "| `cnnFwdMs` (Nature CNN forward, batch 32) | 512 ms | PyTorch: 5.6 ms (3) | 91× slower |",
        "| `mlpActUs` (batch-1 action, typed-array fast path) | 5.93 µs | PyTorch: 19–23 µs (1) | 3.2–3.9× faster |",
        "",
        "Not measured: `cnnTrainMs`: too slow on cpu.",
        "",
        "Peers, measured on a machine of the same kind: (1) this README's hand-typed table of 2026-11-25 " +
          "(commit d853d1f); `../shared/peers/env_speed.py` and `torch_steps.py` measure them again; " +
          "(3) PyTorch 2.13 with MKL (both cores), measured side by side with `pomdp bench nn` on these machines (issue 10); (4) `experiments/peers/torch_recurrent.py` (nn.LSTM / nn.GRU / nn.RNN on the same shapes, PyTorch 2.13 with MKL, 2 threads), run beside ours by `experiments/bench-recurrent.ts` on 2026-12-02, three runs.",
      ].join("\n"),
    );
  });

  it("takes rows from a given list (e.g. an agent's SPS) and appends figures no row names", () => {
    const specs: SpeedRowSpec[] = [
      {
        key: "ppoSps",
        what: "PPO",
        unit: "SPS",
        peer: { label: "CleanRL", value: [4900, 5100], source: { id: 2, text: "peers" } },
      },
    ];
    const text = renderSpeedTable({ ppoSps: 12_345, newFigureMs: 1.5, backend: "wasm" }, specs);
    expect(text.split("\n").filter((l) => l.startsWith("| `"))).toEqual([
      "| `ppoSps` (PPO) | 12,345 SPS | CleanRL: 4,900–5,100 SPS (2) | 2.4–2.5× faster |",
      "| `newFigureMs` | 1.5 ms |  |  |",
    ]);
    expect(text).toContain("Peers, measured on a machine of the same kind: (2) peers.");
  });

  it("takes the agents' line as experiments/bench-agents.ts prints it (other fields ignored)", () => {
    const agents = {
      date: "2026-12-01T03:00:00.000Z",
      machine: "Test CPU × 2",
      node: "v20.1.0",
      ppoCartPoleSps: 6123.4,
      ppoCartPoleSpsBreakdown: { env: 1.5, update: 9 },
      ppoCartPoleSpsPeer: "CleanRL-style PyTorch PPO",
    };
    const text = renderSpeedTable(mergeBenchLines([agents]));
    expect(text.split("\n")[0]).toBe(
      "Measured 2026-12-01 on Test CPU × 2, Node v20.1.0, by `pomdp bench table`.",
    );
    expect(text.split("\n").filter((l) => l.startsWith("| `"))).toEqual([
      "| `ppoCartPoleSps` (PPO (MLP) on CartPole-v1) | 6,123 SPS | CleanRL PPO: 4,900–5,100 SPS (2) | 1.2× faster |",
    ]);
  });

  it("says when a peer range straddles the measured figure", () => {
    expect(formatRatio(21, { label: "p", value: [19, 23], source: { id: 1, text: "" } }, "µs")).toBe(
      "0.9–1.1× the peer's speed",
    );
  });

  it("replaces only the block between the markers, and refuses a file without them", () => {
    const readme = [
      "# title",
      "",
      "## Speed",
      "",
      "Intro kept.",
      "",
      SPEED_TABLE_START,
      "old table",
      "old line 2",
      SPEED_TABLE_END,
      "",
      "## Next",
      "kept too",
      "",
    ].join("\n");
    const updated = replaceSpeedTable(readme, "new table\n");
    expect(updated).toBe(
      [
        "# title",
        "",
        "## Speed",
        "",
        "Intro kept.",
        "",
        SPEED_TABLE_START,
        "new table",
        SPEED_TABLE_END,
        "",
        "## Next",
        "kept too",
        "",
      ].join("\n"),
    );
    expect(replaceSpeedTable(updated, "new table")).toBe(updated);
    expect(() => replaceSpeedTable("# no markers\n", "x")).toThrow(
      `expected the marker ${SPEED_TABLE_START} once, found it nowhere`,
    );
    expect(() => replaceSpeedTable(`${SPEED_TABLE_END}\n${SPEED_TABLE_START}\n`, "x")).toThrow(
      "comes before",
    );
  });

  it("reads JSON lines and names the line that is not one", () => {
    expect(parseBenchOutput('{"a":1}\n\n{"b":2}\n', "f.json")).toEqual([{ a: 1 }, { b: 2 }]);
    expect(() => parseBenchOutput('{"a":1}\nTF.js backend: cpu\n', "f.json")).toThrow(
      "f.json, line 2: not a JSON line of `pomdp bench`",
    );
  });

  it("shows the wasm thread count in the header line, not as a row; per-thread CPU times are rows", () => {
    const figures = {
      wasmThreads: 2,
      wasmThreadsMinFlops: 1e7,
      wasmThreadsChoice: "2",
      cnnTrainMainCpuMs: 47.9,
    };
    expect(speedRows(figures).map((r) => r.figure)).toEqual([
      "`cnnTrainMainCpuMs` (CPU time of the main thread per Nature-CNN training step)",
    ]);
    expect(renderSpeedTable({ ...figures, backend: "wasm", date: "2026-12-01" })).toContain(
      "on wasm (2 threads)",
    );
  });
});
