// The registered gridworlds: the env checker, Minigrid's settings, seeded layouts, solving DoorKey
// and FourRooms, the Memory task's success and failure, and errors that name the env.
import { describe, expect, it } from "vitest";
import {
  Actions,
  type MemoryEnv,
  type MiniGridEnv,
  type MiniGridObservation,
  registerGridworlds,
} from "../../../envs/gridworld";
import { checkEnv, type Env, make } from "../../../src/core";
import { findObject, pathToFace } from "./helpers";

registerGridworlds();

const MINIGRID_IDS: [string, number][] = [
  ["MiniGrid-Empty-5x5-v0", 100],
  ["MiniGrid-Empty-Random-5x5-v0", 100],
  ["MiniGrid-Empty-6x6-v0", 144],
  ["MiniGrid-Empty-Random-6x6-v0", 144],
  ["MiniGrid-Empty-8x8-v0", 256],
  ["MiniGrid-Empty-16x16-v0", 1024],
  ["MiniGrid-FourRooms-v0", 100],
  ["MiniGrid-DoorKey-5x5-v0", 250],
  ["MiniGrid-DoorKey-6x6-v0", 360],
  ["MiniGrid-DoorKey-8x8-v0", 640],
  ["MiniGrid-DoorKey-16x16-v0", 2560],
  ["MiniGrid-MemoryS7-v0", 245],
  ["MiniGrid-MemoryS9-v0", 405],
  ["MiniGrid-MemoryS11-v0", 605],
  ["MiniGrid-MemoryS13-v0", 845],
  ["MiniGrid-MemoryS13Random-v0", 845],
  ["MiniGrid-MemoryS17Random-v0", 1445],
];

type GridEnv = Env<MiniGridObservation, number>;
const base = (env: GridEnv) => env.unwrapped as MiniGridEnv;

/** The layout after a seeded reset: grid encoding, agent pose. */
function layout(env: GridEnv, seed: number): string {
  env.reset({ seed });
  const b = base(env);
  return `${Array.from(b.encodeFullGrid()).join(",")}|${b.agentPos}|${b.agentDir}`;
}

describe("registered ids", () => {
  for (const [id, maxSteps] of MINIGRID_IDS) {
    it(`${id} passes checkEnv, has Minigrid's maxSteps ${maxSteps} and a 7×7×3 view`, () => {
      const report = checkEnv(() => make(id), { steps: 60 });
      expect(report.passed.length).toBeGreaterThan(4);
      const env = make<MiniGridObservation, number>(id);
      expect(base(env).maxSteps).toBe(maxSteps);
      expect(env.spec?.maxEpisodeSteps).toBeUndefined(); // the env truncates itself, as in Minigrid
      expect(env.reset({ seed: 1 }).observation.image.length).toBe(7 * 7 * 3);
      expect(env.observationSpace.toString()).toContain("[7, 7, 3]");
    });
  }

  it("TMaze-v0 passes checkEnv", () => {
    expect(checkEnv(() => make("TMaze-v0")).passed.length).toBeGreaterThan(3);
  });

  it("make overrides change the view size and maxSteps", () => {
    const env = make<MiniGridObservation, number>("MiniGrid-DoorKey-6x6-v0", {
      agentViewSize: 5,
      maxSteps: 3,
    });
    expect(env.reset({ seed: 0 }).observation.image.length).toBe(5 * 5 * 3);
    env.step(Actions.left);
    env.step(Actions.left);
    expect(env.step(Actions.left).truncated).toBe(true);
    expect(checkEnv(() => make("MiniGrid-FourRooms-v0", { agentViewSize: 9 }), { steps: 30 }).env).toBe(
      "MiniGrid-FourRooms-v0",
    );
  });

  it("registerGridworlds is idempotent", () => {
    expect(() => registerGridworlds()).not.toThrow();
  });
});

describe("seeded layouts", () => {
  const random = [
    "MiniGrid-Empty-Random-6x6-v0",
    "MiniGrid-FourRooms-v0",
    "MiniGrid-DoorKey-8x8-v0",
    "MiniGrid-MemoryS13Random-v0",
    "MiniGrid-MemoryS11-v0",
  ];
  for (const id of random) {
    it(`${id}: the same seed gives the same layout, different seeds different ones`, () => {
      const a = make(id);
      const b = make(id);
      const seen = new Set<string>();
      for (let seed = 0; seed < 6; seed++) {
        const first = layout(a, seed);
        layout(a, seed + 100); // a different episode in between
        expect(layout(a, seed)).toBe(first);
        expect(layout(b, seed)).toBe(first);
        seen.add(first);
      }
      expect(seen.size).toBeGreaterThanOrEqual(3);
    });
  }

  it("without a seed, successive resets draw new layouts", () => {
    const env = make("MiniGrid-FourRooms-v0");
    const first = layout(env, 7);
    env.reset();
    const b = base(env);
    const second = `${Array.from(b.encodeFullGrid()).join(",")}|${b.agentPos}|${b.agentDir}`;
    expect(second).not.toBe(first);
  });
});

describe("DoorKey and FourRooms", () => {
  it("DoorKey lays out a split wall with a locked yellow door, the key and the agent on the left", () => {
    for (const size of [5, 6, 8]) {
      for (let seed = 0; seed < 5; seed++) {
        const env = base(make(`MiniGrid-DoorKey-${size}x${size}-v0`));
        env.reset({ seed });
        const [doorX, doorY] = findObject(env, "door");
        const door = env.grid.get(doorX, doorY);
        expect(door?.encode()).toEqual([4, 4, 2]); // door, yellow, locked
        for (let y = 0; y < size; y++) if (y !== doorY) expect(env.grid.get(doorX, y)?.type).toBe("wall");
        const [keyX] = findObject(env, "key");
        expect(keyX).toBeLessThan(doorX);
        expect(env.agentPos[0]).toBeLessThan(doorX);
        expect(env.grid.get(size - 2, size - 2)?.type).toBe("goal");
      }
    }
  });

  it("DoorKey is solved by: key, unlock, goal — with reward 1 - 0.9 * steps / maxSteps", () => {
    for (const size of [5, 6, 8]) {
      for (let seed = 0; seed < 5; seed++) {
        const env = make<MiniGridObservation, number>(`MiniGrid-DoorKey-${size}x${size}-v0`);
        env.reset({ seed });
        const b = base(env);
        const run = (actions: number[] | undefined) => {
          expect(actions).toBeDefined();
          for (const a of actions as number[]) expect(env.step(a).terminated).toBe(false);
        };
        run(pathToFace(b, ...findObject(b, "key")));
        env.step(Actions.pickup);
        expect(b.carrying?.type).toBe("key");
        const door = findObject(b, "door");
        expect(pathToFace(b, size - 2, size - 2)).toBeUndefined(); // locked in
        run(pathToFace(b, ...door));
        env.step(Actions.toggle);
        expect(b.grid.get(...door)?.encode()).toEqual([4, 4, 0]);
        run(pathToFace(b, size - 2, size - 2));
        const r = env.step(Actions.forward);
        expect(r.terminated).toBe(true);
        expect(r.reward).toBeCloseTo(1 - (0.9 * b.stepCount) / (10 * size * size), 12);
      }
    }
  });

  it("FourRooms: every layout's goal can be reached", () => {
    for (let seed = 0; seed < 8; seed++) {
      const env = make<MiniGridObservation, number>("MiniGrid-FourRooms-v0", { maxSteps: 1000 });
      env.reset({ seed });
      const b = base(env);
      expect([b.width, b.height]).toEqual([19, 19]);
      const path = pathToFace(b, ...findObject(b, "goal"));
      expect(path, `seed ${seed}`).toBeDefined();
      for (const a of path as number[]) env.step(a);
      const r = env.step(Actions.forward);
      expect(r.terminated).toBe(true);
      expect(r.reward).toBeGreaterThan(0);
    }
  });
});

describe("Memory", () => {
  /** Walks to `target` (a cell of the vertical hallway) and returns the last step. */
  function walkTo(env: GridEnv, target: [number, number]) {
    const b = base(env);
    const path = pathToFace(b, target[0], target[1]) as number[];
    expect(path).toBeDefined();
    for (const a of path) expect(env.step(a).terminated).toBe(false);
    return env.step(Actions.forward);
  }

  for (const id of ["MiniGrid-MemoryS7-v0", "MiniGrid-MemoryS13Random-v0"]) {
    it(`${id}: the matching object's side succeeds, the other fails`, () => {
      const tops = new Set<string>();
      for (let seed = 0; seed < 12; seed++) {
        const env = make<MiniGridObservation, number>(id);
        env.reset({ seed });
        const m = base(env) as MemoryEnv;
        const mid = (m.height - 1) / 2;
        expect(m.agentPos[1]).toBe(mid);
        expect(m.agentDir).toBe(0);
        // the start room's object matches the object next to the success cell
        const cue = m.grid.get(1, mid - 1);
        const [sx, sy] = m.successPos;
        const matched = m.grid.get(sx, sy < mid ? sy - 1 : sy + 1);
        expect(cue?.encode()).toEqual(matched?.encode());
        tops.add(`${cue?.type}:${sy < mid}`);
        const success = walkTo(env, m.successPos);
        expect(success.terminated).toBe(true);
        expect(success.reward).toBe(1 - 0.9 * (m.stepCount / m.maxSteps));

        env.reset({ seed });
        const failure = walkTo(env, m.failurePos);
        expect(failure).toMatchObject({ terminated: true, reward: 0 });
      }
      expect(tops.size).toBe(4); // key/ball cue, above/below: all four arrangements occur
    });
  }

  it("the start object is in view at the start and not from the end of the hallway", () => {
    const env = make<MiniGridObservation, number>("MiniGrid-MemoryS13-v0");
    env.reset({ seed: 3 });
    const m = base(env);
    const greenObject = (image: Uint8Array) => {
      for (let i = 0; i < image.length; i += 3)
        if ((image[i] === 5 || image[i] === 6) && image[i + 1] === 1) return true;
      return false;
    };
    m.agentDir = 2; // look back into the start room
    expect(greenObject(m.encodeView())).toBe(true);
    m.agentDir = 0;
    // walk to the end of the horizontal hallway (the split's objects are green too: stay before it)
    while (m.agentPos[0] < m.width - 4) env.step(Actions.forward);
    env.step(Actions.left);
    env.step(Actions.left); // facing back down the long hallway
    expect(m.agentPos[0]).toBe(9);
    expect(greenObject(m.encodeView())).toBe(false);
  });

  it("pickup acts as toggle", () => {
    const env = make<MiniGridObservation, number>("MiniGrid-MemoryS7-v0");
    env.reset({ seed: 0 });
    const m = base(env);
    m.agentPos[0] = 1;
    m.agentDir = 3; // facing the start object at (1, 2)
    env.step(Actions.pickup);
    expect(m.carrying).toBeNull();
    expect(m.grid.get(1, 2)).not.toBeNull();
  });
});

describe("bad input", () => {
  it("actions outside 0…6 and NaN throw errors naming the env", () => {
    const env = make("MiniGrid-Empty-8x8-v0");
    env.reset({ seed: 0 });
    for (const bad of [7, Number.NaN, -1, 2.5, "2"]) {
      expect(() => env.step(bad)).toThrow(/MiniGrid-Empty-8x8-v0.*action/);
      expect(() => env.unwrapped.step(bad)).toThrow(/MiniGrid-Empty-8x8-v0.*action/);
    }
    expect(env.step(2).observation.image.length).toBe(147); // state intact
  });

  it("step before reset, unknown reset options and bad kwargs are refused by name", () => {
    const env = make("MiniGrid-DoorKey-5x5-v0");
    expect(() => env.unwrapped.step(0)).toThrow(/MiniGrid-DoorKey-5x5-v0.*reset/);
    expect(() => env.reset({ options: { size: 3 } })).toThrow(/MiniGrid-DoorKey-5x5-v0.*option/);
    expect(() => make("MiniGrid-Empty-8x8-v0", { agentViewSize: 4 })).toThrow(/agentViewSize/);
    expect(() => make("MiniGrid-MemoryS7-v0", { size: 8 })).toThrow(/MemoryEnv.*odd/);
    expect(() => make("MiniGrid-Empty-8x8-v0", { agentStartPos: [0, 0] })).toThrow(/agentStartPos/);
  });
});
