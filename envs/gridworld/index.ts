// The gridworld family: Minigrid-compatible envs (Empty, FourRooms, DoorKey, Memory) and Bakker's
// T-maze (as bits, and as a picture), registered under Minigrid's ids; plus the engine and wrappers for
// writing new ones.
import { listEnvs, register } from "../../src/core";
import { DoorKeyEnv } from "./doorkey";
import { type EmptyArgs, EmptyEnv } from "./empty";
import { FourRoomsEnv } from "./fourrooms";
import { MemoryEnv } from "./memory";
import { PixelTMazeEnv } from "./pixel_tmaze";
import { TMazeEnv } from "./tmaze";

export * from "./constants";
export * from "./doorkey";
export * from "./empty";
export * from "./fourrooms";
export * from "./grid";
export * from "./memory";
export * from "./minigrid_env";
export * from "./pixel_tmaze";
export * from "./render_rgb";
export * from "./rgb_wrappers";
export * from "./tmaze";
export * from "./world_object";
export * from "./wrappers";

/** Keyword arguments every Minigrid id accepts as `make` overrides. */
const VIEW_KWARGS = { maxSteps: null, agentViewSize: 7, tileSize: 32 };

/**
 * Registers every gridworld id (idempotent). Minigrid envs truncate themselves at `maxSteps` (as in
 * Gymnasium, where their specs have no `max_episode_steps`), so no `TimeLimit` is added.
 */
export function registerGridworlds(): void {
  if (listEnvs().some((s) => s.id === "MiniGrid-Empty-5x5-v0")) return;

  const empty = (size: number, random: boolean) => {
    const id = random ? `MiniGrid-Empty-Random-${size}x${size}-v0` : `MiniGrid-Empty-${size}x${size}-v0`;
    register(id, (kw) => new EmptyEnv(kw as EmptyArgs), {
      kwargs: { size, agentStartPos: random ? null : [1, 1], agentStartDir: 0, ...VIEW_KWARGS },
      successAbove: 0,
      description: `Minigrid Empty ${size}×${size}: reach the goal corner (${random ? "random start" : "start top-left"}; maxSteps ${4 * size * size})`,
    });
  };
  empty(5, false);
  empty(5, true);
  empty(6, false);
  empty(6, true);
  empty(8, false);
  empty(16, false);

  register("MiniGrid-FourRooms-v0", (kw) => new FourRoomsEnv(kw), {
    kwargs: { agentPos: null, goalPos: null, ...VIEW_KWARGS },
    successAbove: 0,
    description: "Minigrid FourRooms 19×19: random start and goal in four connected rooms (maxSteps 100)",
  });

  for (const size of [5, 6, 8, 16]) {
    register(`MiniGrid-DoorKey-${size}x${size}-v0`, (kw) => new DoorKeyEnv(kw), {
      kwargs: { size, ...VIEW_KWARGS },
      successAbove: 0,
      description: `Minigrid DoorKey ${size}×${size}: pick up the key, unlock the door, reach the goal (maxSteps ${10 * size * size})`,
    });
  }

  const memory = (size: number, randomLength: boolean) => {
    register(`MiniGrid-MemoryS${size}${randomLength ? "Random" : ""}-v0`, (kw) => new MemoryEnv(kw), {
      kwargs: { size, randomLength, ...VIEW_KWARGS },
      successAbove: 0,
      description: `Minigrid Memory ${size}×${size}: go to the object matching the one seen at the start${randomLength ? " (random hallway length)" : ""} (maxSteps ${5 * size * size})`,
    });
  };
  memory(7, false);
  memory(9, false);
  memory(11, false);
  memory(13, false);
  memory(13, true);
  memory(17, true);

  register("TMaze-v0", (kw) => new TMazeEnv(kw), {
    kwargs: { length: 10, maxSteps: null },
    successAbove: 0,
    description: "Bakker's T-maze: remember the cue seen at the start of a corridor to turn the right way",
  });
  register("PixelTMaze-v0", (kw) => new PixelTMazeEnv(kw), {
    kwargs: { length: 10, maxSteps: null, tileSize: 4 },
    successAbove: 0,
    description:
      "TMaze-v0 seen from above as a 20×52 grey picture (4-px tiles): the cued arm's end is lit in the first frame only",
  });
}
