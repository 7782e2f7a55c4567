/** Model formulas and design matrices. */
export {
  buildDesign,
  type Column,
  type DataFrame,
  type Design,
  type DesignInfo,
  type DesignOptions,
  designFromMatrix,
  type MissingPolicy,
} from "./design.js";
export {
  type Expr,
  type Factor,
  type Formula,
  parseFormula,
  type Response,
  type SmoothTerm,
  type Term,
} from "./parse.js";
export {
  type ElementwiseTransform,
  poly,
  registerTransform,
  type TermTransform,
  type TermTransformResult,
  type Transform,
  transform,
  transformNames,
} from "./transforms.js";
