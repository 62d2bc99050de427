// Small DOM helpers of the page's views.

/** The element with id `id`; a missing one is an error naming it. */
export function byId<T extends HTMLElement | SVGElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: no element #${id}`);
  return el as T;
}

/** An <option> with `value` and `text` (the value when absent). */
export function option(value: string, text = value, title?: string): HTMLOptionElement {
  return Object.assign(document.createElement("option"), { value, textContent: text, title: title ?? "" });
}

/** The seed typed into `input`, or the error line naming what was expected (shown on the page). */
export function seedFrom(input: HTMLInputElement): { seed: number } | { error: string } {
  const seed = Number(input.value);
  if (!Number.isInteger(seed) || seed < 0)
    return { error: `seed: expected a whole number ≥ 0, got "${input.value}"` };
  return { seed };
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and text. */
export function svgElement(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}
