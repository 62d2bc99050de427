// Farama Minigrid's encoding tables (minigrid/core/constants.py), with the same indices, so that
// encoded observations are interchangeable with Minigrid's.

/** Object type → index of the first channel of an encoded cell (Minigrid's OBJECT_TO_IDX). */
export const OBJECT_TO_IDX = {
  unseen: 0,
  empty: 1,
  wall: 2,
  floor: 3,
  door: 4,
  key: 5,
  ball: 6,
  box: 7,
  goal: 8,
  lava: 9,
  agent: 10,
} as const;

/** A world object's type name. */
export type ObjectType = Exclude<keyof typeof OBJECT_TO_IDX, "unseen" | "empty" | "agent">;

/** Colour name → index of the second channel of an encoded cell (Minigrid's COLOR_TO_IDX). */
export const COLOR_TO_IDX = {
  red: 0,
  green: 1,
  blue: 2,
  purple: 3,
  yellow: 4,
  grey: 5,
} as const;

/** A colour name. */
export type Color = keyof typeof COLOR_TO_IDX;

/** The colour names sorted alphabetically, the order Minigrid's `_rand_color` draws from (COLOR_NAMES). */
export const COLOR_NAMES: readonly Color[] = ["blue", "green", "grey", "purple", "red", "yellow"];

/** Door state → index of the third channel of an encoded cell (Minigrid's STATE_TO_IDX). */
export const STATE_TO_IDX = {
  open: 0,
  closed: 1,
  locked: 2,
} as const;

/** Number of object indices (one-hot width of the object channel). */
export const NUM_OBJECT_INDICES = 11;
/** Number of colour indices (one-hot width of the colour channel). */
export const NUM_COLOR_INDICES = 6;
/** Number of state indices (one-hot width of the state channel). */
export const NUM_STATE_INDICES = 3;

/** Direction → unit step (Minigrid's DIR_TO_VEC): 0 = +x (right), 1 = +y (down), 2 = -x, 3 = -y. */
export const DIR_TO_VEC: readonly (readonly [number, number])[] = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1],
];

/** The actions of every Minigrid env (Minigrid's `Actions`). */
export const Actions = {
  left: 0,
  right: 1,
  forward: 2,
  pickup: 3,
  drop: 4,
  toggle: 5,
  done: 6,
} as const;
