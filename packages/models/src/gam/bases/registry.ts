/** The registry of smooth bases by mgcv's `bs=` name; a new basis is one file added here. */
import { GamError } from "../errors.js";
import { cc } from "./cc.js";
import { cr } from "./cr.js";
import { ps } from "./ps.js";
import { tp } from "./tp.js";
import type { BasisType } from "./types.js";

const registry = new Map<string, BasisType>([
  ["tp", tp],
  ["cr", cr],
  ["ps", ps],
  ["cc", cc],
]);

/** Adds a basis type (its `name` is what `bs=` selects). */
export function registerBasis(type: BasisType): void {
  registry.set(type.name, type);
}

/** The basis registered as `name`; a typed error naming the term otherwise. */
export function basisType(name: string, label: string): BasisType {
  const t = registry.get(name);
  if (!t)
    throw new GamError(
      "UNKNOWN_BASIS",
      `${label}: unknown basis bs="${name}" (known: ${[...registry.keys()].join(", ")}; te() for tensor products)`,
      label,
    );
  return t;
}

/** Names of the registered bases. */
export function basisNames(): string[] {
  return [...registry.keys()];
}
