/** Trees of tensors: a tensor, an array of trees, or an object of trees. */
import { ArgumentError } from "./errors.js";
import { Tensor } from "./tensor.js";

/** A tensor, or arrays / plain objects nesting tensors. */
export type Tree = Tensor | Tree[] | { [key: string]: Tree };

/** Leaves of a tree in a fixed order (array order, then object keys in insertion order). */
export function treeLeaves(tree: Tree): Tensor[] {
  const out: Tensor[] = [];
  const walk = (t: Tree, path: string): void => {
    if (t instanceof Tensor) out.push(t);
    else if (Array.isArray(t)) for (let i = 0; i < t.length; i++) walk(t[i], `${path}[${i}]`);
    else if (t !== null && typeof t === "object")
      for (const k of Object.keys(t)) walk(t[k], `${path}.${k}`);
    else
      throw new ArgumentError(
        "tree",
        `${path || "params"} is ${t === null ? "null" : typeof t}, expected a Tensor, array or object`,
      );
  };
  walk(tree, "");
  return out;
}

/** Rebuilds a tree of the same structure with leaves replaced by `f(leaf, index)`. */
export function treeMap<T extends Tree>(tree: T, f: (leaf: Tensor, i: number) => Tensor): T {
  let i = 0;
  const walk = (t: Tree): Tree => {
    if (t instanceof Tensor) return f(t, i++);
    if (Array.isArray(t)) return t.map(walk);
    const o: { [key: string]: Tree } = {};
    for (const k of Object.keys(t)) o[k] = walk(t[k]);
    return o;
  };
  return walk(tree) as T;
}

/** Rebuilds `tree`'s structure with the given leaves (in {@link treeLeaves} order). */
export function treeUnflatten<T extends Tree>(tree: T, leaves: readonly Tensor[]): T {
  return treeMap(tree, (_, i) => leaves[i]);
}
