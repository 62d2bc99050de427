/**
 * When does `AsyncVectorEnv` (sub-envs in worker threads) beat `SyncVectorEnv` (one thread)? Steps
 * 4 sub-envs of envs from cheap to expensive per step, sync and async, and prints ONE JSON line:
 * per env, the median milliseconds per 200 vector steps (`…SyncMs`, `…AsyncMs`) and what one step
 * of one sub-env costs in the sync run (`…StepUs`), plus the machine's CPU count and load average.
 * Run: npx ts-node experiments/bench-async-vector.ts [--reps 15] [--warmup 3] [--envs 4]
 *
 * It is also the wrap module of the gridworld cases (`wrapModule: __filename`): the workers load
 * this file for its `wrap` export, which is why the measuring runs only when it is the main module.
 */
import * as os from "node:os";
import {
  type Env,
  ImageOnly,
  type MakeVecOptions,
  makeVec,
  RgbFullView,
  RgbPartialView,
  type VectorEnv,
} from "../src";
import { medianMs } from "../src/nn/bench";

/** The gridworld wrappers of the cases below, chosen by the env's `view` (as a wrap module must). */
export function wrap(env: Env<unknown, number>): Env<Uint8Array, number> {
  const view = process.env.BENCH_ASYNC_VIEW ?? "image";
  // biome-ignore lint/suspicious/noExplicitAny: the gridworld observation type
  const grid = env as Env<any, number>;
  if (view === "rgbPartial") return new RgbPartialView(grid);
  if (view === "rgbFull") return new RgbFullView(grid);
  return new ImageOnly(grid);
}

interface Case {
  name: string;
  id: string;
  options: MakeVecOptions;
  /** The gridworld view (read by `wrap`, in the workers too: they inherit the environment). */
  view?: string;
}

const CASES: Case[] = [
  // A step of ~0.1 µs: what async costs, the wake-up round trips to the workers and back.
  { name: "cartpole", id: "CartPole-v1", options: {} },
  // Gymnasium's picture, as when the README's table was measured (the bold default is anti-aliased:
  // 16 samples a pixel where a shape is).
  {
    name: "cartpolePixels64",
    id: "CartPole-Pixels-v1",
    options: { overrides: { width: 64, height: 64, style: "gymnasium" } },
  },
  {
    name: "cartpolePixels256",
    id: "CartPole-Pixels-v1",
    options: { overrides: { width: 256, height: 256, style: "gymnasium" } },
  },
  {
    name: "cartpolePixels512Rgb",
    id: "CartPole-Pixels-v1",
    options: { overrides: { width: 512, height: 512, grayscale: false, style: "gymnasium" } },
  },
  {
    name: "memoryS13RgbPartial",
    id: "MiniGrid-MemoryS13Random-v0",
    options: { wrapModule: __filename },
    view: "rgbPartial",
  },
  {
    name: "memoryS13RgbFull",
    id: "MiniGrid-MemoryS13Random-v0",
    options: { wrapModule: __filename },
    view: "rgbFull",
  },
];

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const STEPS = 200;

/** Median ms per `STEPS` vector steps, with actions that vary per step and sub-env. */
function msPer200(vec: VectorEnv, numActions: number, warmup: number, reps: number): number {
  vec.reset({ seed: 0 });
  const actions = new Int32Array(vec.numEnvs);
  let t = 0;
  const ms = medianMs(
    () => {
      for (let s = 0; s < STEPS; s++, t++) {
        for (let i = 0; i < actions.length; i++) actions[i] = ((t * 7 + i * 3) >> 2) % numActions;
        vec.step(actions);
      }
    },
    warmup,
    reps,
  );
  return Math.round(ms * 10) / 10;
}

function main(): void {
  const reps = arg("reps", 15);
  const warmup = arg("warmup", 3);
  const numEnvs = arg("envs", 4);
  const figures: Record<string, number> = {
    cpus: os.availableParallelism(),
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    numEnvs,
    steps: STEPS,
  };
  for (const c of CASES) {
    if (c.view !== undefined) process.env.BENCH_ASYNC_VIEW = c.view;
    const syncVec = makeVec(c.id, numEnvs, c.options);
    const numActions = Math.min(3, syncVec.actionSpace.nvec[0]);
    const syncMs = msPer200(syncVec, numActions, warmup, reps);
    syncVec.close();
    figures[`${c.name}StepUs`] = Math.round((syncMs * 1000 * 10) / (STEPS * numEnvs)) / 10;
    figures[`${c.name}SyncMs`] = syncMs;
    const asyncVec = makeVec(c.id, numEnvs, { ...c.options, async: true });
    figures[`${c.name}AsyncMs`] = msPer200(asyncVec, numActions, warmup, reps);
    asyncVec.close();
  }
  figures.loadAverage1mAfter = Math.round(os.loadavg()[0] * 100) / 100;
  console.log(JSON.stringify(figures));
}

if (require.main === module) main();
