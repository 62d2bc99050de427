/** Short, readable rendering of any value for error messages: `NaN`, `2.5`, `"abc"`, `[1, 2, …]`. */
export function describeValue(x: unknown): string {
  if (typeof x === "number") return Object.is(x, -0) ? "-0" : String(x);
  if (typeof x === "string") return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  if (x === null || x === undefined || typeof x === "boolean" || typeof x === "bigint") return String(x);
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const arr = x as unknown as ArrayLike<number>;
    return `${x.constructor.name}(${arr.length}) ${describeList(arr)}`;
  }
  if (Array.isArray(x)) return describeList(x);
  if (typeof x === "function") return "a function";
  try {
    const json = JSON.stringify(x);
    return json.length > 80 ? `${json.slice(0, 80)}…` : json;
  } catch {
    return Object.prototype.toString.call(x);
  }
}

function describeList(items: ArrayLike<unknown>): string {
  const shown = Array.from({ length: Math.min(items.length, 6) }, (_, i) => describeValue(items[i]));
  return `[${shown.join(", ")}${items.length > 6 ? ", …" : ""}]`;
}

/** `value` if it is an integer ≥ `min`; otherwise an error "`owner`: `name` must be an integer ≥ min, got …". */
export function requireIntegerAtLeast(owner: string, name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new Error(`${owner}: ${name} must be an integer ≥ ${min}, got ${describeValue(value)}`);
  }
  return value;
}

/** `value` if it is an integer ≥ 1; otherwise an error naming `owner` and `name` (see `requireIntegerAtLeast`). */
export function requirePositiveInteger(owner: string, name: string, value: unknown): number {
  return requireIntegerAtLeast(owner, name, value, 1);
}
