/**
 * @geoml/autodiff — n-d float32/float64 tensors, NumPy-style broadcasting ops,
 * reverse-mode gradients over trees of parameters, and a seeded RNG.
 */
export type { DType } from "./dtype.js";
export {
  ArgumentError,
  AutodiffError,
  type AutodiffErrorCode,
  DTypeError,
  isAutodiffError,
  ShapeError,
} from "./errors.js";
export {
  type CheckGradOptions,
  type CheckGradResult,
  checkGrad,
  grad,
  valueAndGrad,
  vjp,
} from "./grad.js";
export { fusedMultiplyAdd, setSimd, simdEnabled } from "./kernels/wasm/instance.js";
export {
  add,
  div,
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  maximum,
  minimum,
  mul,
  neg,
  notEqual,
  sub,
  type TensorLike,
  where,
} from "./ops/binary.js";
export { cast } from "./ops/cast.js";
export {
  arange,
  eye,
  full,
  linspace,
  ones,
  onesLike,
  scalar,
  type TensorOptions,
  tensor,
  zeros,
  zerosLike,
} from "./ops/creation.js";
export { type DenseActivation, dense } from "./ops/dense.js";
export { stopGradient } from "./ops/identity.js";
export { matmul, mT } from "./ops/linalg.js";
export { pow } from "./ops/pow.js";
export { logSoftmax, logsumexp, max, mean, min, softmax } from "./ops/reduce.js";
export {
  addAlongAxis,
  type IndexInput,
  type MaskInput,
  maskSelect,
  takeAlongAxis,
} from "./ops/select.js";
export {
  concat,
  expandDims,
  gather,
  pad,
  reshape,
  scatterAdd,
  slice,
  squeeze,
  stack,
  transpose,
} from "./ops/shape.js";
export { type Axis, broadcastTo, sum, sumToShape } from "./ops/sum.js";
export {
  abs,
  atan,
  clip,
  cos,
  digamma,
  erf,
  erfc,
  exp,
  expm1,
  lgamma,
  log,
  log1p,
  polygamma,
  relu,
  sigmoid,
  sign,
  sin,
  softplus,
  sqrt,
  square,
  tanh,
} from "./ops/unary.js";
export { BufferPool, type BufferPoolStats, ReleasedTensorError } from "./pool.js";
export { type NormalOptions, Rng, type UniformOptions } from "./rng.js";
export { noGrad } from "./tape.js";
export { type NestedArray, Tensor } from "./tensor.js";
export {
  abandonedPasses,
  getThreads,
  goesParallel,
  isShared,
  lastPass,
  MIN_WORK,
  type ModuleFunction,
  openRows,
  type RowRun,
  type RowSession,
  type RowTask,
  type RunRowsOptions,
  runningWorkers,
  runRows,
  setThreadOptions,
  setThreads,
  sharedFloat32,
  sharedFloat64,
  sharedMemoryAvailable,
  startWorkers,
  stopWorkers,
  type ThreadOptions,
} from "./threads/pool.js";
export { type Tree, treeLeaves, treeMap, treeUnflatten } from "./tree.js";
