/**
 * Parameter trees: a tensor, an array of trees or an object of trees (the `Tree`
 * of `@geoml/autodiff`). Optimisers work on the flat list of leaves and rebuild
 * a tree of the same structure, so leaf order is the depth-first order of
 * `Object.keys` / array index.
 */
import { type DType, Tensor, type Tree, tensor } from "@geoml/autodiff";
import { TreeMismatchError } from "./errors.js";

/** The leaves of a tree with their paths, in a fixed depth-first order. */
export interface FlatTree {
  /** Tensors in depth-first order. */
  readonly leaves: Tensor[];
  /** Path of each leaf, e.g. `"hidden.weight"` or `"layers[0].bias"`. */
  readonly paths: string[];
}

/** Flattens `tree` into its leaves and their paths. */
export function flattenTree(tree: Tree, where = "tree"): FlatTree {
  const leaves: Tensor[] = [];
  const paths: string[] = [];
  const walk = (node: Tree, path: string, depth: number): void => {
    // Deep nesting here means a cycle or a non-tree object, not a model.
    if (depth > 64) throw new TreeMismatchError(where, `tree deeper than 64 levels at '${path}'`);
    if (node instanceof Tensor) {
      leaves.push(node);
      paths.push(path === "" ? "params" : path);
    } else if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) walk(node[i], `${path}[${i}]`, depth + 1);
    } else if (node !== null && typeof node === "object") {
      for (const key of Object.keys(node))
        walk(node[key], path === "" ? key : `${path}.${key}`, depth + 1);
    } else {
      throw new TreeMismatchError(
        where,
        `'${path === "" ? "params" : path}' is ${node === null ? "null" : typeof node}, expected a Tensor, an array or an object of Tensors`,
      );
    }
  };
  walk(tree, "", 0);
  return { leaves, paths };
}

/** Rebuilds a tree shaped like `like` whose i-th leaf is `leaves[i]`. */
export function unflattenTree<T extends Tree>(like: T, leaves: readonly Tensor[]): T {
  let i = 0;
  const build = (node: Tree): Tree => {
    if (node instanceof Tensor) return leaves[i++];
    if (Array.isArray(node)) return node.map(build);
    const out: { [key: string]: Tree } = {};
    for (const key of Object.keys(node)) out[key] = build(node[key]);
    return out;
  };
  return build(like) as T;
}

/**
 * Flattens `grads` and checks it has the leaf count and shapes of `reference`
 * (usually the parameters or the leaves recorded by `init`).
 */
export function flattenLike(
  grads: Tree,
  shapes: readonly (readonly number[])[],
  where: string,
  what = "gradients",
): FlatTree {
  const flat = flattenTree(grads, where);
  if (flat.leaves.length !== shapes.length)
    throw new TreeMismatchError(
      where,
      `${what} have ${flat.leaves.length} leaves but the optimiser state has ${shapes.length}; pass a tree with the structure given to init()`,
    );
  for (let i = 0; i < shapes.length; i++) {
    const a = flat.leaves[i].shape;
    const b = shapes[i];
    if (a.length !== b.length || a.some((n, k) => n !== b[k]))
      throw new TreeMismatchError(
        where,
        `${what} leaf '${flat.paths[i]}' has shape [${a.join(", ")}], expected [${b.join(", ")}]`,
      );
  }
  return flat;
}

/**
 * Wraps values as a tensor of `shape` and `dtype`: without a copy when the array is
 * already of that dtype, else converted (rounded once for float32).
 */
export function fromValues(
  values: Float32Array | Float64Array,
  shape: readonly number[],
  dtype: DType,
): Tensor {
  if (dtype === "float32" && values instanceof Float32Array)
    return tensor(values, { shape: [...shape], dtype });
  if (dtype === "float64" && values instanceof Float64Array)
    return tensor(values, { shape: [...shape], dtype });
  return tensor(dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values), {
    shape: [...shape],
    dtype,
  });
}

/** Wraps float64 values as a tensor of `shape` and `dtype` (rounded once for float32). */
export function fromFloat64(values: Float64Array, shape: readonly number[], dtype: DType): Tensor {
  const data = dtype === "float64" ? values : Float32Array.from(values);
  return tensor(data, { shape: [...shape], dtype });
}
