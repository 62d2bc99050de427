import { describe, expect, it } from "vitest";
import { EmptyEnv } from "../../../envs/gridworld/empty";
import { type GridPicture, renderEncodedViewRgb, renderGridRgb } from "../../../envs/gridworld/render_rgb";
import { RgbFullView, RgbPartialView } from "../../../envs/gridworld/rgb_wrappers";

const T = 32; // tile size of the picture tests
const WALL = [2, 5, 0];
const EMPTY = [1, 0, 0];
const GOAL = [8, 1, 0];

/** A `width × height` picture of empty cells, with `cells` placed at [x, y]. */
function picture(
  width: number,
  height: number,
  cells: [number, number, number[]][],
  agent: [number, number, number] = [-1, -1, 0],
  highlight?: [number, number][],
): GridPicture {
  const codes = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) codes.set(EMPTY, i * 3);
  for (const [x, y, code] of cells) codes.set(code, (y * width + x) * 3);
  let mask: Uint8Array | undefined;
  if (highlight) {
    mask = new Uint8Array(width * height);
    for (const [x, y] of highlight) mask[y * width + x] = 1;
  }
  return {
    width,
    height,
    cells: codes,
    agentX: agent[0],
    agentY: agent[1],
    agentDir: agent[2],
    highlight: mask,
  };
}

/** The RGB of the pixel at fraction (fx, fy) of tile (tx, ty) in a `width`-tile-wide image. */
function at(
  data: Uint8Array,
  widthTiles: number,
  tx: number,
  ty: number,
  fx: number,
  fy: number,
  tile = T,
): number[] {
  const x = tx * tile + Math.floor(fx * tile);
  const y = ty * tile + Math.floor(fy * tile);
  const i = (y * widthTiles * tile + x) * 3;
  return Array.from(data.subarray(i, i + 3));
}

/** Centroid of the pure-red pixels of tile (tx, ty), relative to the tile's centre, in tiles. */
function redCentroid(
  data: Uint8Array,
  widthTiles: number,
  tx: number,
  ty: number,
  tile = T,
): [number, number] {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < tile; y++)
    for (let x = 0; x < tile; x++) {
      const [r, g, b] = at(data, widthTiles, tx, ty, (x + 0.5) / tile, (y + 0.5) / tile, tile);
      if (r > 200 && g < 90 && b < 90) {
        sx += (x + 0.5) / tile - 0.5;
        sy += (y + 0.5) / tile - 0.5;
        n++;
      }
    }
  expect(n).toBeGreaterThan(0);
  return [sx / n, sy / n];
}

describe("renderGridRgb", () => {
  it("draws tile by tile at the requested size: grey walls, black floor with grid lines, green goal", () => {
    const frame = renderGridRgb(
      picture(3, 2, [
        [0, 0, WALL],
        [2, 1, GOAL],
      ]),
      T,
    );
    expect([frame.width, frame.height, frame.channels, frame.data.length]).toEqual([
      3 * T,
      2 * T,
      3,
      6 * T * T * 3,
    ]);
    expect(at(frame.data, 3, 0, 0, 0.5, 0.5)).toEqual([100, 100, 100]);
    expect(at(frame.data, 3, 2, 1, 0.5, 0.5)).toEqual([0, 255, 0]);
    // Empty floor: black inside, a grey grid line along its top and left edges only.
    expect(at(frame.data, 3, 1, 1, 0.5, 0.5)).toEqual([0, 0, 0]);
    expect(at(frame.data, 3, 1, 1, 0, 0.5)).toEqual([100, 100, 100]);
    expect(at(frame.data, 3, 1, 1, 0.5, 0)).toEqual([100, 100, 100]);
    expect(at(frame.data, 3, 1, 1, 0.99, 0.5)).toEqual([0, 0, 0]);
    // Unseen cells (0, 0, 0) of a full grid are drawn as empty floor.
    const unseen = renderGridRgb(picture(1, 1, [[0, 0, [0, 0, 0]]]), T);
    expect(unseen.data).toEqual(renderGridRgb(picture(1, 1, []), T).data);
  });

  it("brightens highlighted tiles 30% toward white", () => {
    const frame = renderGridRgb(
      picture(
        3,
        1,
        [
          [1, 0, GOAL],
          [2, 0, WALL],
        ],
        undefined,
        [
          [0, 0],
          [1, 0],
          [2, 0],
        ],
      ),
      T,
    );
    expect(at(frame.data, 3, 0, 0, 0.5, 0.5)).toEqual([76, 76, 76]); // 0 + 0.3·255, truncated
    expect(at(frame.data, 3, 1, 0, 0.5, 0.5)).toEqual([76, 255, 76]);
    expect(at(frame.data, 3, 2, 0, 0.5, 0.5)).toEqual([146, 146, 146]); // 100 + 0.3·155
  });

  it("draws the agent as a red triangle pointing its way", () => {
    const directions: [number, number][] = [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
    ];
    for (let dir = 0; dir < 4; dir++) {
      const frame = renderGridRgb(picture(3, 3, [], [1, 1, dir]), T);
      const [cx, cy] = redCentroid(frame.data, 3, 1, 1);
      // The triangle spans the tile from base to tip, so its centroid (a third of the way up from the
      // base) sits off the centre away from the tip: the tip points along the direction.
      expect(cx * directions[dir][0] + cy * directions[dir][1]).toBeLessThan(-0.08);
      expect(Math.abs(cx * directions[dir][1] - cy * directions[dir][0])).toBeLessThan(0.02);
      // Only the agent's tile is red.
      expect(at(frame.data, 3, 0, 0, 0.5, 0.5)).toEqual([0, 0, 0]);
    }
  });

  it("draws doors open, closed and locked, keys, balls, boxes, floor and lava as Minigrid", () => {
    const yellow = [255, 255, 0];
    const blue = [0, 0, 255];
    const frame = renderGridRgb(
      picture(8, 1, [
        [0, 0, [4, 4, 0]], // open yellow door
        [1, 0, [4, 4, 1]], // closed yellow door
        [2, 0, [4, 4, 2]], // locked yellow door
        [3, 0, [5, 2, 0]], // blue key
        [4, 0, [6, 0, 0]], // red ball
        [5, 0, [7, 3, 0]], // purple box
        [6, 0, [9, 0, 0]], // lava
        [7, 0, [3, 2, 0]], // blue floor
      ]),
      T,
    );
    const px = (tx: number, fx: number, fy: number) => at(frame.data, 8, tx, 0, fx, fy);
    // Open door: a slab at the right edge, nothing in the middle.
    expect(px(0, 0.9, 0.5)).toEqual(yellow);
    expect(px(0, 0.5, 0.5)).toEqual([0, 0, 0]);
    // Closed door: coloured frame, black panel, handle on the right.
    expect(px(1, 0.02, 0.5)).toEqual(yellow);
    expect(px(1, 0.4, 0.5)).toEqual([0, 0, 0]);
    expect(px(1, 0.75, 0.5)).toEqual(yellow);
    // Locked door: filled with 45% of its colour.
    expect(px(2, 0.3, 0.3)).toEqual([114, 114, 0]);
    // Key: a ring with a hole, and a shaft.
    expect(px(3, 0.56, 0.28)).toEqual([0, 0, 0]);
    expect(px(3, 0.56, 0.15)).toEqual(blue);
    expect(px(3, 0.56, 0.6)).toEqual(blue);
    // Ball: a circle.
    expect(px(4, 0.5, 0.5)).toEqual([255, 0, 0]);
    expect(px(4, 0.12, 0.12)).toEqual([0, 0, 0]);
    // Box: an outline with a black inside and a lid line.
    expect(px(5, 0.14, 0.3)).toEqual([112, 39, 195]);
    expect(px(5, 0.5, 0.3)).toEqual([0, 0, 0]);
    expect(px(5, 0.5, 0.5)).toEqual([112, 39, 195]);
    // Lava: orange with black waves.
    expect(px(6, 0.5, 0.1)).toEqual([255, 128, 0]);
    expect(px(6, 0.2, 0.35)[0]).toBeLessThan(100);
    // Floor: half its colour.
    expect(px(7, 0.5, 0.5)).toEqual([0, 0, 127]);
  });

  it("reuses cached tiles: the same picture gives the same bytes, into a given buffer too", () => {
    const p = picture(4, 4, [[3, 3, GOAL]], [1, 2, 3], [[1, 1]]);
    const a = renderGridRgb(p, 8);
    const out = new Uint8Array(a.data.length);
    const b = renderGridRgb(p, 8, out);
    expect(b.data).toBe(out);
    expect(b.data).toEqual(a.data);
  });

  it("rejects malformed input with the argument named", () => {
    expect(() => renderGridRgb(picture(2, 2, []), 0)).toThrow(/tileSize must be an integer ≥ 1/);
    expect(() => renderGridRgb({ ...picture(2, 2, []), cells: new Uint8Array(5) }, 8)).toThrow(
      /cells has 5 bytes; expected height × width × 3 = 12/,
    );
    expect(() => renderGridRgb(picture(1, 1, [[0, 0, [42, 0, 0]]]), 8)).toThrow(/object index 42 is unknown/);
    expect(() => renderGridRgb(picture(1, 1, [[0, 0, [2, 9, 0]]]), 8)).toThrow(/colour index 9 is unknown/);
  });
});

describe("renderEncodedViewRgb", () => {
  /** A 7 × 7 view: unseen top two rows, a wall column on the left, a goal, the agent carrying a key. */
  function view(): Uint8Array {
    const image = new Uint8Array(7 * 7 * 3);
    for (let y = 2; y < 7; y++)
      for (let x = 0; x < 7; x++) image.set(x === 0 ? WALL : EMPTY, (y * 7 + x) * 3);
    image.set(GOAL, (3 * 7 + 4) * 3);
    image.set([5, 4, 0], (6 * 7 + 3) * 3);
    return image;
  }

  it("draws 8 px tiles into 56 × 56 × 3: unseen black, seen cells highlighted, the agent at the bottom centre facing up", () => {
    const data = renderEncodedViewRgb(view(), 7, 8);
    expect(data.length).toBe(56 * 56 * 3);
    // Unseen: black with no grid line.
    for (const [fx, fy] of [
      [0, 0],
      [0.5, 0.5],
    ])
      expect(at(data, 7, 2, 0, fx, fy, 8)).toEqual([0, 0, 0]);
    expect(at(data, 7, 3, 2, 0.5, 0.5, 8)).toEqual([76, 76, 76]);
    expect(at(data, 7, 4, 3, 0.5, 0.5, 8)).toEqual([76, 255, 76]);
    expect(at(data, 7, 0, 4, 0.5, 0.5, 8)).toEqual([146, 146, 146]);
    const [cx, cy] = redCentroid(data, 7, 3, 6, 8);
    expect(cy).toBeGreaterThan(0.08); // base at the bottom, tip up (see the triangle test above)
    expect(Math.abs(cx)).toBeLessThan(0.05);
  });

  it("writes into a given buffer and checks sizes", () => {
    const out = new Uint8Array(7 * 7 * 4 * 4 * 3);
    expect(renderEncodedViewRgb(view(), 7, 4, out)).toBe(out);
    expect(() => renderEncodedViewRgb(view(), 5, 8)).toThrow(
      /image has 147 bytes; expected viewSize² × 3 = 75/,
    );
    expect(() => renderEncodedViewRgb(view(), 7, 8, new Uint8Array(10))).toThrow(/out has 10 bytes/);
  });
});

describe("RgbPartialView and RgbFullView on Empty-5x5", () => {
  it("shows the agent's view as a 56 × 56 × 3 image with the goal two ahead and two to the right", () => {
    const env = new RgbPartialView(new EmptyEnv({ size: 5 }));
    expect((env.observationSpace as unknown as { shape: number[] }).shape).toEqual([56, 56, 3]);
    const obs = env.reset({ seed: 0 }).observation;
    expect(obs).toEqual(
      renderEncodedViewRgb(new EmptyEnv({ size: 5 }).reset({ seed: 0 }).observation.image, 7, 8),
    );
    // The agent starts at (1, 1) facing right; the goal at (3, 3) is 2 ahead and 2 to its right.
    expect(at(obs, 7, 5, 4, 0.5, 0.5, 8)).toEqual([76, 255, 76]);
    expect(() => new RgbPartialView(new EmptyEnv(), { tileSize: 0 })).toThrow(
      /RgbPartialView.*tileSize must be an integer ≥ 1/,
    );
  });

  it("shows the whole grid with the view cone highlighted, or not", () => {
    const lit = new RgbFullView(new EmptyEnv({ size: 5 }));
    expect((lit.observationSpace as unknown as { shape: number[] }).shape).toEqual([40, 40, 3]);
    const obs = lit.reset({ seed: 0 }).observation;
    expect(at(obs, 5, 3, 3, 0.5, 0.5, 8)).toEqual([76, 255, 76]);
    expect(at(obs, 5, 1, 1, 0.5, 0.5, 8)[0]).toBeGreaterThan(200); // the agent
    const plain = new RgbFullView(new EmptyEnv({ size: 5 }), { highlight: false });
    expect(at(plain.reset({ seed: 0 }).observation, 5, 3, 3, 0.5, 0.5, 8)).toEqual([0, 255, 0]);
    // After turning, the picture changes.
    expect(plain.step(1).observation).not.toEqual(plain.reset({ seed: 0 }).observation);
  });
});
