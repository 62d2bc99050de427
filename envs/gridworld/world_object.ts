// The things a gridworld cell can hold (Minigrid's minigrid/core/world_object.py): each knows whether
// the agent may walk onto it, pick it up, see past it, and what toggling it does.
import { COLOR_TO_IDX, type Color, OBJECT_TO_IDX, type ObjectType, STATE_TO_IDX } from "./constants";
import type { Grid } from "./grid";

/** What `WorldObj.toggle` may read and change: the carried object and the grid. */
export interface ToggleContext {
  /** The object the agent carries, or null. */
  carrying: WorldObj | null;
  /** The world. */
  grid: Grid;
}

/** Base class of every object in a gridworld cell (Minigrid's `WorldObj`). */
export abstract class WorldObj {
  /** Encoded object index (OBJECT_TO_IDX). */
  readonly typeIndex: number;
  /** Encoded colour index (COLOR_TO_IDX). */
  readonly colorIndex: number;

  constructor(
    /** Object type. */
    readonly type: ObjectType,
    /** Colour. */
    readonly color: Color,
  ) {
    this.typeIndex = OBJECT_TO_IDX[type];
    this.colorIndex = COLOR_TO_IDX[color];
  }

  /** Whether the agent can stand on this cell. */
  canOverlap(): boolean {
    return false;
  }

  /** Whether the agent can pick this up. */
  canPickup(): boolean {
    return false;
  }

  /** Whether the agent sees the cells behind this one. */
  seeBehind(): boolean {
    return true;
  }

  /** Acts on the object at (x, y) with the toggle action; returns whether anything happened. */
  toggle(_env: ToggleContext, _x: number, _y: number): boolean {
    return false;
  }

  /** The third channel of the encoding: 0 except for doors. */
  get state(): number {
    return 0;
  }

  /** The encoding (object index, colour index, state). */
  encode(): [number, number, number] {
    return [this.typeIndex, this.colorIndex, this.state];
  }
}

/** The green goal square: reaching it ends the episode with a reward. */
export class Goal extends WorldObj {
  constructor() {
    super("goal", "green");
  }
  override canOverlap(): boolean {
    return true;
  }
}

/** A coloured floor tile the agent can walk over. */
export class Floor extends WorldObj {
  constructor(color: Color = "blue") {
    super("floor", color);
  }
  override canOverlap(): boolean {
    return true;
  }
}

/** Lava: walking onto it ends the episode with no reward. */
export class Lava extends WorldObj {
  constructor() {
    super("lava", "red");
  }
  override canOverlap(): boolean {
    return true;
  }
}

/** A wall: blocks movement and sight. */
export class Wall extends WorldObj {
  constructor(color: Color = "grey") {
    super("wall", color);
  }
  override seeBehind(): boolean {
    return false;
  }
}

/** A door: open (passable, transparent), closed, or locked (opened only with a key of its colour). */
export class Door extends WorldObj {
  /** Whether the door is open. */
  isOpen: boolean;
  /** Whether the door is locked (a locked door is closed). */
  isLocked: boolean;

  constructor(color: Color, isOpen = false, isLocked = false) {
    super("door", color);
    this.isOpen = isOpen;
    this.isLocked = isLocked;
  }
  override canOverlap(): boolean {
    return this.isOpen;
  }
  override seeBehind(): boolean {
    return this.isOpen;
  }
  /** Unlocks and opens with a carried key of the same colour; otherwise opens or closes when unlocked. */
  override toggle(env: ToggleContext): boolean {
    if (this.isLocked) {
      if (env.carrying instanceof Key && env.carrying.color === this.color) {
        this.isLocked = false;
        this.isOpen = true;
        return true;
      }
      return false;
    }
    this.isOpen = !this.isOpen;
    return true;
  }
  override get state(): number {
    if (this.isOpen) return STATE_TO_IDX.open;
    return this.isLocked ? STATE_TO_IDX.locked : STATE_TO_IDX.closed;
  }
}

/** A key: can be picked up; unlocks doors of its colour. */
export class Key extends WorldObj {
  constructor(color: Color = "blue") {
    super("key", color);
  }
  override canPickup(): boolean {
    return true;
  }
}

/** A ball: can be picked up. */
export class Ball extends WorldObj {
  constructor(color: Color = "blue") {
    super("ball", color);
  }
  override canPickup(): boolean {
    return true;
  }
}

/** A box: can be picked up; toggling it replaces it by what it contains (possibly nothing). */
export class Box extends WorldObj {
  /** The object revealed when the box is toggled open, or null. */
  contains: WorldObj | null;

  constructor(color: Color, contains: WorldObj | null = null) {
    super("box", color);
    this.contains = contains;
  }
  override canPickup(): boolean {
    return true;
  }
  override toggle(env: ToggleContext, x: number, y: number): boolean {
    env.grid.set(x, y, this.contains);
    return true;
  }
}

/** A world object as JSON (the state protocol of the gridworlds). */
export interface WorldObjState {
  type: ObjectType;
  color: Color;
  /** Doors only. */
  isOpen?: boolean;
  isLocked?: boolean;
  /** Boxes only. */
  contains?: WorldObjState | null;
}

/** `obj` as JSON (null for an empty cell). */
export function worldObjToState(obj: WorldObj | null): WorldObjState | null {
  if (obj === null) return null;
  const out: WorldObjState = { type: obj.type, color: obj.color };
  if (obj instanceof Door) {
    out.isOpen = obj.isOpen;
    out.isLocked = obj.isLocked;
  }
  if (obj instanceof Box) out.contains = worldObjToState(obj.contains);
  return out;
}

/** A new object from {@link worldObjToState}; a malformed state is an error naming `what`. */
export function worldObjFromState(state: unknown, what: string): WorldObj | null {
  if (state === null) return null;
  const s = state as Partial<WorldObjState>;
  if (typeof s !== "object" || typeof s.color !== "string" || !(s.color in COLOR_TO_IDX)) {
    throw new Error(
      `${what}: expected null or { type, color } of a world object, got ${JSON.stringify(state)}`,
    );
  }
  const color = s.color as Color;
  switch (s.type) {
    case "goal":
      return new Goal();
    case "floor":
      return new Floor(color);
    case "lava":
      return new Lava();
    case "wall":
      return new Wall(color);
    case "door":
      return new Door(color, s.isOpen === true, s.isLocked === true);
    case "key":
      return new Key(color);
    case "ball":
      return new Ball(color);
    case "box":
      return new Box(color, worldObjFromState(s.contains ?? null, what));
    default:
      throw new Error(`${what}: unknown world object type ${JSON.stringify(s.type)}`);
  }
}
