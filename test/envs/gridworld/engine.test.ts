// The engine's dynamics and view on hand-laid rooms: movement, walls, doors and keys, pickup/drop,
// toggle, goal and lava, step counting and truncation, the view for each direction, occlusion.
import { describe, expect, it } from "vitest";
import {
  Actions,
  Ball,
  Box,
  Door,
  EmptyEnv,
  Floor,
  Goal,
  Key,
  Lava,
  OBJECT_TO_IDX,
  Wall,
} from "../../../envs/gridworld";
import { literalMinigridView, Room, viewCell } from "./helpers";

const { left, right, forward, pickup, drop, toggle, done } = Actions;

describe("movement and turning", () => {
  it("turns left and right through the four directions and moves one cell forward", () => {
    const env = new Room((r) => r.placeAt(3, 3, 0));
    env.reset();
    expect(env.step(left).observation.direction).toBe(3);
    expect(env.step(left).observation.direction).toBe(2);
    expect(env.step(right).observation.direction).toBe(3);
    env.step(right);
    env.step(right);
    expect(env.agentDir).toBe(1);
    env.step(forward);
    expect(env.agentPos).toEqual([3, 4]);
    env.step(right); // now facing -x
    env.step(forward);
    expect(env.agentPos).toEqual([2, 4]);
  });

  it("does not move into walls or closed doors, but walks over floor and open doors", () => {
    const env = new Room((r) => {
      r.placeAt(1, 1, 2);
      r.grid.set(2, 1, new Floor("purple"));
      r.grid.set(3, 1, new Door("red", true));
      r.grid.set(4, 1, new Door("red", false));
    });
    env.reset();
    env.step(forward);
    expect(env.agentPos).toEqual([1, 1]); // wall at x = 0
    env.step(right);
    env.step(right);
    env.step(forward);
    env.step(forward);
    expect(env.agentPos).toEqual([3, 1]); // on the open door
    env.step(forward);
    expect(env.agentPos).toEqual([3, 1]); // closed door blocks
  });

  it("counts every step, done and no-ops included", () => {
    const env = new Room((r) => r.placeAt(1, 1, 0));
    env.reset();
    for (const a of [done, pickup, drop, toggle, left]) env.step(a);
    expect(env.stepCount).toBe(5);
    expect(env.agentPos).toEqual([1, 1]);
  });
});

describe("objects", () => {
  it("picks up a key, shows it at the agent's cell in the view, and drops it only on an empty cell", () => {
    const env = new Room((r) => {
      r.placeAt(1, 1, 0);
      r.grid.set(2, 1, new Key("blue"));
      r.grid.set(1, 2, new Ball("red"));
    });
    env.reset();
    const r = env.step(pickup);
    expect(env.carrying?.type).toBe("key");
    expect(env.grid.get(2, 1)).toBeNull();
    expect(viewCell(r.observation.image, 7, 3, 6)).toEqual([OBJECT_TO_IDX.key, 2, 0]);
    env.step(right); // face the ball
    env.step(pickup); // already carrying: nothing happens
    expect(env.grid.get(1, 2)?.type).toBe("ball");
    env.step(drop); // the ball is in the way
    expect(env.carrying?.type).toBe("key");
    env.step(left);
    const dropped = env.step(drop);
    expect(env.carrying).toBeNull();
    expect(env.grid.get(2, 1)?.type).toBe("key");
    expect(viewCell(dropped.observation.image, 7, 3, 6)).toEqual([OBJECT_TO_IDX.empty, 0, 0]);
    expect(viewCell(dropped.observation.image, 7, 3, 5)).toEqual([OBJECT_TO_IDX.key, 2, 0]);
  });

  it("cannot pick up walls, doors or goals", () => {
    const env = new Room((r) => {
      r.placeAt(1, 1, 2);
      r.grid.set(1, 2, new Door("green"));
      r.grid.set(2, 1, new Goal());
    });
    env.reset();
    env.step(pickup); // wall
    env.step(left);
    env.step(pickup); // door
    env.step(left);
    env.step(pickup); // goal
    expect(env.carrying).toBeNull();
  });

  it("a locked door opens only with a key of its colour; an unlocked one toggles open and closed", () => {
    const env = new Room((r) => {
      r.placeAt(2, 1, 2);
      r.grid.set(1, 1, new Key("blue"));
      r.grid.set(1, 2, new Key("yellow"));
      r.grid.vertWall(3, 1, 5);
      r.grid.set(3, 1, new Door("yellow", false, true));
      r.grid.set(3, 2, new Door("purple"));
    });
    env.reset();
    const door = env.grid.get(3, 1) as Door;
    env.step(pickup); // the blue key
    env.step(right);
    env.step(right); // face the locked door
    env.step(toggle);
    expect(door.isLocked).toBe(true);
    expect(env.step(forward).observation.image[3 * (5 * 7 + 3) + 2]).toBe(2); // locked, state 2
    expect(env.agentPos).toEqual([2, 1]);
    // swap the blue key for the yellow one at (1, 2)
    env.step(left);
    env.step(left);
    env.step(drop); // blue key back at (1, 1)
    env.step(left); // face down: (2, 2)
    env.step(forward);
    env.step(right); // face -x: (1, 2)
    env.step(pickup);
    expect(env.carrying?.color).toBe("yellow");
    env.step(right); // face up
    env.step(forward); // (2, 1)
    env.step(right); // face +x: the door
    const opened = env.step(toggle);
    expect(door.isLocked).toBe(false);
    expect(door.isOpen).toBe(true);
    expect(viewCell(opened.observation.image, 7, 3, 5)).toEqual([OBJECT_TO_IDX.door, 4, 0]);
    env.step(forward);
    expect(env.agentPos).toEqual([3, 1]);
    // the purple door below is closed but not locked: toggle opens and closes it without a key
    const purple = env.grid.get(3, 2) as Door;
    env.step(left);
    env.step(left);
    env.step(forward); // back to (2, 1), facing -x
    env.step(left); // face down: (2, 2)
    env.step(forward);
    env.step(left); // face +x: the purple door
    expect(viewCell(env.step(toggle).observation.image, 7, 3, 5)).toEqual([OBJECT_TO_IDX.door, 3, 0]);
    expect(purple.isOpen).toBe(true);
    env.step(toggle);
    expect(purple.isOpen).toBe(false);
  });

  it("toggling a box replaces it by its contents; a box can be carried", () => {
    const env = new Room((r) => {
      r.placeAt(1, 1, 0);
      r.grid.set(2, 1, new Box("purple", new Key("red")));
      r.grid.set(1, 2, new Box("green"));
    });
    env.reset();
    expect(viewCell(env.encodeView(), 7, 3, 5)).toEqual([OBJECT_TO_IDX.box, 3, 0]);
    env.step(toggle);
    expect(env.grid.get(2, 1)?.type).toBe("key");
    expect(viewCell(env.encodeView(), 7, 3, 5)).toEqual([OBJECT_TO_IDX.key, 0, 0]);
    env.step(right);
    env.step(pickup);
    expect(env.carrying?.type).toBe("box");
  });
});

describe("rewards, termination and truncation", () => {
  it("reaching the goal terminates with 1 - 0.9 * stepCount / maxSteps", () => {
    const env = new Room(
      (r) => {
        r.placeAt(1, 1, 0);
        r.grid.set(4, 1, new Goal());
      },
      { maxSteps: 40 },
    );
    env.reset();
    env.step(done);
    env.step(forward);
    expect(env.step(forward)).toMatchObject({ reward: 0, terminated: false });
    const r = env.step(forward);
    expect(r).toMatchObject({ terminated: true, truncated: false });
    expect(r.reward).toBe(1 - 0.9 * (4 / 40));
    expect(env.agentPos).toEqual([4, 1]);
  });

  it("walking into lava terminates with reward 0", () => {
    const env = new Room((r) => {
      r.placeAt(1, 1, 1);
      r.grid.set(1, 2, new Lava());
    });
    env.reset();
    const r = env.step(forward);
    expect(r).toMatchObject({ reward: 0, terminated: true });
    expect(env.agentPos).toEqual([1, 2]);
  });

  it("truncates exactly when stepCount reaches maxSteps (Empty-5x5: 100)", () => {
    const env = new EmptyEnv({ size: 5 });
    expect(env.maxSteps).toBe(100);
    env.reset();
    for (let t = 1; t < 100; t++) expect(env.step(left).truncated).toBe(false);
    expect(env.step(left)).toMatchObject({ truncated: true, terminated: false });
  });

  it("a reset starts a new episode: step count 0, nothing carried", () => {
    const env = new Room((r) => {
      r.placeAt(1, 1, 0);
      r.grid.set(2, 1, new Key("red"));
    });
    env.reset();
    env.step(pickup);
    env.reset();
    expect(env.stepCount).toBe(0);
    expect(env.carrying).toBeNull();
    expect(env.grid.get(2, 1)?.type).toBe("key");
  });
});

describe("the view", () => {
  // Objects east, south and west of an agent at (4, 4) in a 9 × 9 room.
  const compass = () =>
    new Room(
      (r) => {
        r.placeAt(4, 4, 0);
        r.grid.set(5, 4, new Ball("red")); // east
        r.grid.set(4, 5, new Key("blue")); // south
        r.grid.set(3, 4, new Goal()); // west
        r.grid.set(4, 3, new Lava()); // north
        r.grid.set(6, 5, new Floor("yellow")); // 2 east, 1 south
      },
      { width: 9, height: 9 },
    );
  const ball = [OBJECT_TO_IDX.ball, 0, 0];
  const key = [OBJECT_TO_IDX.key, 2, 0];
  const goal = [OBJECT_TO_IDX.goal, 1, 0];
  const lava = [OBJECT_TO_IDX.lava, 0, 0];
  const floor = [OBJECT_TO_IDX.floor, 4, 0];

  it("puts what is ahead above the agent and what is to its right on its right, for each direction", () => {
    const env = compass();
    env.reset();
    // [direction, ahead, right-hand neighbour, left-hand neighbour]
    const expected = [
      [0, ball, key, lava],
      [1, key, goal, ball],
      [2, goal, lava, key],
      [3, lava, ball, goal],
    ] as const;
    for (const [dir, ahead, rightHand, leftHand] of expected) {
      env.agentDir = dir;
      const image = env.encodeView();
      expect(env.encodeView()).toEqual(image);
      expect(viewCell(image, 7, 3, 5), `direction ${dir}, ahead`).toEqual(ahead);
      expect(viewCell(image, 7, 4, 6), `direction ${dir}, right`).toEqual(rightHand);
      expect(viewCell(image, 7, 2, 6), `direction ${dir}, left`).toEqual(leftHand);
      expect(viewCell(image, 7, 3, 6), "agent's own cell").toEqual([1, 0, 0]);
    }
    env.agentDir = 0; // facing east, the floor is 2 ahead and 1 to the right
    expect(viewCell(env.encodeView(), 7, 4, 4)).toEqual(floor);
    env.agentDir = 1; // facing south, it is 1 ahead and 2 to the left
    expect(viewCell(env.encodeView(), 7, 1, 5)).toEqual(floor);
  });

  it("takes the view size into account (3 and 9)", () => {
    for (const agentViewSize of [3, 9]) {
      const env = new Room(
        (r) => {
          r.placeAt(4, 4, 3);
          r.grid.set(4, 3, new Lava());
        },
        { width: 9, height: 9, agentViewSize },
      );
      const { image } = env.reset().observation;
      expect(image.length).toBe(agentViewSize * agentViewSize * 3);
      const half = (agentViewSize - 1) / 2;
      expect(viewCell(image, agentViewSize, half, agentViewSize - 2)).toEqual(lava);
      expect(viewCell(image, agentViewSize, half, agentViewSize - 1)).toEqual([1, 0, 0]);
    }
  });

  it("hides what is behind a wall with a closed door, and shows it once the door is open", () => {
    const env = new Room((r) => {
      r.placeAt(3, 5, 3);
      r.grid.horzWall(1, 3, 5);
      r.grid.set(3, 3, new Door("red"));
      r.grid.set(3, 2, new Ball("green"));
      r.grid.set(1, 2, new Key("green"));
    });
    const closed = env.reset().observation.image;
    expect(viewCell(closed, 7, 3, 4)).toEqual([OBJECT_TO_IDX.door, 0, 1]);
    expect(viewCell(closed, 7, 0, 4)).toEqual([OBJECT_TO_IDX.wall, 5, 0]);
    for (let vy = 0; vy < 4; vy++)
      for (let vx = 0; vx < 7; vx++) expect(viewCell(closed, 7, vx, vy), `(${vx}, ${vy})`).toEqual([0, 0, 0]);
    env.step(forward);
    // one step closer, at (3, 4): the door is now right ahead
    const open = env.step(toggle).observation.image;
    expect(viewCell(open, 7, 3, 5)).toEqual([OBJECT_TO_IDX.door, 0, 0]);
    expect(viewCell(open, 7, 3, 4)).toEqual([OBJECT_TO_IDX.ball, 1, 0]);
    expect(viewCell(open, 7, 1, 4)).toEqual([OBJECT_TO_IDX.key, 1, 0]);
    // the view stops at the room's top wall: beyond it (outside the grid) is unseen
    expect(viewCell(open, 7, 3, 2)).toEqual([OBJECT_TO_IDX.wall, 5, 0]);
    expect(viewCell(open, 7, 3, 1)).toEqual([0, 0, 0]);
  });

  it("sees through walls when seeThroughWalls is set (cells outside the grid read as walls)", () => {
    const env = new Room(
      (r) => {
        r.placeAt(3, 5, 3);
        r.grid.horzWall(1, 3, 5);
        r.grid.set(3, 2, new Ball("green"));
      },
      { seeThroughWalls: true },
    );
    const image = env.reset().observation.image;
    expect(viewCell(image, 7, 3, 3)).toEqual([OBJECT_TO_IDX.ball, 1, 0]);
    expect(viewCell(image, 7, 3, 0)).toEqual([OBJECT_TO_IDX.wall, 5, 0]);
  });

  it("matches a literal port of Minigrid's slice/rotate/process_vis on random rooms and walks", () => {
    let checked = 0;
    for (let seed = 0; seed < 6; seed++) {
      const env = new Room(
        (r) => {
          for (let i = 0; i < 14; i++) {
            const kind = r.rng.integer(5);
            const obj =
              kind === 0
                ? new Wall()
                : kind === 1
                  ? new Door("blue", r.rng.integer(2) === 0)
                  : kind === 2
                    ? new Ball("red")
                    : kind === 3
                      ? new Key("yellow")
                      : new Box("grey");
            const x = 1 + r.rng.integer(7);
            const y = 1 + r.rng.integer(7);
            r.grid.set(x, y, obj);
          }
          const x = 1 + r.rng.integer(7);
          const y = 1 + r.rng.integer(7);
          r.grid.set(x, y, null);
          r.placeAt(x, y, r.rng.integer(4));
        },
        { width: 9, height: 9, agentViewSize: seed % 2 === 0 ? 7 : 5 },
      );
      env.reset({ seed });
      for (let t = 0; t < 150; t++) {
        const want = literalMinigridView(env);
        expect(env.encodeView(), `seed ${seed} step ${t}`).toEqual(want.image);
        expect(env.visibleMask(), `seed ${seed} step ${t}`).toEqual(want.highlight);
        checked++;
        env.step(env.rng.integer(6));
      }
    }
    expect(checked).toBe(900);
  });
});

describe("whole-grid views", () => {
  it("encodeFullGrid is [y][x][c] without the agent; renderText draws Minigrid's letters", () => {
    const env = new EmptyEnv({ size: 5 });
    env.reset();
    const cells = env.encodeFullGrid();
    expect(cells.length).toBe(5 * 5 * 3);
    expect(Array.from(cells.subarray(0, 3))).toEqual([2, 5, 0]);
    expect(Array.from(cells.subarray(3 * (1 * 5 + 1), 3 * (1 * 5 + 1) + 3))).toEqual([1, 0, 0]);
    expect(Array.from(cells.subarray(3 * (3 * 5 + 3), 3 * (3 * 5 + 3) + 3))).toEqual([8, 1, 0]);
    expect(env.renderText()).toBe(
      ["WGWGWGWGWG", "WG>>    WG", "WG      WG", "WG    GGWG", "WGWGWGWGWG"].join("\n"),
    );
    env.step(right);
    expect(env.renderText().split("\n")[1]).toBe("WGVV    WG");
  });

  it("renderText shows doors by state, keys, balls, boxes and lava", () => {
    const env = new Room((r) => {
      r.placeAt(1, 1, 3);
      r.grid.set(2, 1, new Door("red", true));
      r.grid.set(3, 1, new Door("blue", false, true));
      r.grid.set(4, 1, new Door("yellow"));
      r.grid.set(1, 2, new Key("purple"));
      r.grid.set(2, 2, new Ball("green"));
      r.grid.set(3, 2, new Box("grey"));
      r.grid.set(4, 2, new Lava());
    });
    env.reset();
    const rows = env.renderText().split("\n");
    expect(rows[1]).toBe("WG^^__LBDY  WG");
    expect(rows[2]).toBe("WGKPAGBGVR  WG");
  });

  it("render() draws the grid at tileSize pixels per cell", () => {
    const env = new EmptyEnv({ size: 5, tileSize: 8 });
    env.reset();
    const frame = env.render();
    expect([frame.width, frame.height, frame.channels, frame.data.length]).toEqual([40, 40, 3, 40 * 40 * 3]);
  });
});
