/**
 * Data-parallel minibatch gradients: the rows of a batch are split into as many
 * contiguous blocks as there are threads; each thread (a worker of the pool in
 * @geoml/autodiff, or the calling one) computes the summed loss of its block and
 * its gradient, and the blocks' results are added in block order. The batch's
 * weighted mean loss and its gradient follow by dividing by the batch's total
 * weight, so results depend on the thread count only through rounding.
 */
import {
  BufferPool,
  type DType,
  getThreads,
  goesParallel,
  openRows,
  type RowSession,
  type RowTask,
  sharedFloat32,
  sharedFloat64,
  sharedMemoryAvailable,
  type Tensor,
  tensor,
  valueAndGrad,
} from "@geoml/autodiff";
import { builtInFamilyName } from "@geoml/losses";
import { familyFromJSON, familyToJSON } from "./family.js";
import { type Head, headLoss } from "./head.js";
import { type Architecture, forward, type MlpParams, parameterShapes } from "./network.js";
import type { FamilyJSON } from "./serialize.js";

/**
 * Fewest rows × parameters in a batch for which its gradient goes to several
 * threads. A block's fixed cost (one pass through every op, whatever the rows)
 * and handing the block to a worker cost about what the threads save below this:
 * measured on 2 cores, 8→64→64→1 (4,801 parameters, seconds per epoch over 100,000
 * rows, medians of two runs), one thread against two: 0.139 against 0.159 at 512 rows
 * a batch, 0.148 against 0.134 at 1,024 and 0.137 against 0.096 at 4,096. The
 * threshold falls at about 870 rows for that network.
 */
export const MLP_THREAD_MIN_WORK = 2 ** 22;

/** A head as plain data, rebuilt on the worker threads. */
type HeadJSON =
  | { kind: "family"; family: FamilyJSON; outputs: number }
  | { kind: "gaussian-variance"; outputs: 2 };

interface GradArgs {
  arch: Architecture;
  head: HeadJSON;
  dtype: DType;
  /** Parameters, flattened in the order of {@link parameterShapes}. */
  params: Float32Array | Float64Array;
  /** Standardised inputs of the batch, rows × cols. */
  x: Float32Array | Float64Array;
  y: Float32Array | Float64Array;
  w: Float32Array | Float64Array | null;
  cols: number;
}

/**
 * The head each head object stands for, built once per object: a training run's
 * calling thread keeps one, and a worker one per session (the arguments it was sent).
 */
const heads = new WeakMap<HeadJSON, Head>();

function headFrom(json: HeadJSON): Head {
  if (json.kind === "gaussian-variance") return json;
  let head = heads.get(json);
  if (head === undefined) {
    head = { kind: "family", family: familyFromJSON(json.family), outputs: json.outputs };
    heads.set(json, head);
  }
  return head;
}

/**
 * The parameter tensors over `flat` (names and shapes from `arch`): views, made once per
 * flat array on each thread, which see the values the calling thread writes there
 * before each run.
 */
const paramViews = new WeakMap<Float32Array | Float64Array, MlpParams>();

function unflatten(arch: Architecture, flat: Float32Array | Float64Array, dtype: DType): MlpParams {
  let params = paramViews.get(flat);
  if (params === undefined) {
    let at = 0;
    params = parameterShapes(arch).map((layer) => {
      const out: MlpParams[number] = {};
      for (const [name, shape] of Object.entries(layer)) {
        const size = shape.reduce((p, s) => p * s, 1);
        out[name] = tensor(flat.subarray(at, at + size), { shape, dtype });
        at += size;
      }
      return out;
    });
    paramViews.set(flat, params);
  }
  return params;
}

/**
 * out[0] += Σ over rows [r0, r1) of wᵢ·lossᵢ; out[1…] += its gradient, flattened
 * in the order of {@link parameterShapes}. Exported: worker threads import it.
 */
export function gradRows(a: GradArgs, r0: number, r1: number, out: Float64Array): void {
  if (r1 <= r0) return;
  const rows = r1 - r0;
  const head = headFrom(a.head);
  const x = tensor(a.x.subarray(r0 * a.cols, r1 * a.cols), { shape: [rows, a.cols] });
  const y = tensor(a.y.subarray(r0, r1), { shape: [rows] });
  const w = a.w === null ? undefined : tensor(a.w.subarray(r0, r1), { shape: [rows] });
  const params = unflatten(a.arch, a.params, a.dtype);
  const f = (p: MlpParams) => headLoss(head, forward(a.arch, p, x), y, w, "sum");
  // each thread's step buffers (activations, gradients) are reused from block to block
  blockPool.run(() => {
    const [value, grads] = valueAndGrad(f)(params);
    out[0] += value.item();
    let at = 1;
    const shapes = parameterShapes(a.arch);
    for (let i = 0; i < shapes.length; i++)
      for (const name of Object.keys(shapes[i])) {
        const g = grads[i][name].data;
        for (let j = 0; j < g.length; j++) out[at + j] += g[j];
        at += g.length;
      }
  });
}

/** The buffer pool of this thread's blocks (one per thread: module state of each worker). */
const blockPool = new BufferPool();

const task: RowTask<GradArgs, Record<string, never>> = {
  run: { module: import.meta.url, name: "gradRows", fn: gradRows },
  lib: {},
};

/**
 * Writes a leaf's mean gradient g = acc[at…] / total + decay·p, and returns `value`
 * plus its penalty (decay/2)·Σ p², added term by term.
 */
function meanGradient(
  acc: Float64Array,
  at: number,
  total: number,
  decay: number,
  p: Float32Array | Float64Array,
  g: Float32Array | Float64Array,
  value: number,
): number {
  let v = value;
  for (let j = 0; j < p.length; j++) {
    g[j] = acc[at + j] / total + decay * p[j];
    if (decay > 0) v += 0.5 * decay * p[j] * p[j];
  }
  return v;
}

/** What {@link parallelGradient} needs of a batch: its tensors as built for training. */
export interface Batch {
  x: Tensor;
  y: Tensor;
  weights: Tensor | undefined;
}

/** Computes minibatch objectives and gradients on several threads. */
export interface ParallelGradient {
  /**
   * The weighted mean loss of `batch` plus (λ/2)·Σ‖W‖², and its gradient; null
   * when this batch is better done on the calling thread (too small).
   */
  valueAndGrad(params: MlpParams, batch: Batch, weightDecay: number): [number, MlpParams] | null;
  /** Lets the worker threads go (call once training ends, also after an error). */
  close(): void;
}

/**
 * A data-parallel gradient for training `arch` under `head` on batches with prior
 * weights (`weighted`) or without, or null when the
 * pool cannot help: one thread, no shared memory, dropout (whose masks are drawn
 * in row order from one generator), or a user-defined family that a worker could
 * not rebuild from its name.
 */
export function parallelGradient(
  arch: Architecture,
  head: Head,
  dtype: DType,
  batchSize: number,
  dropout: boolean,
  weighted: boolean,
): ParallelGradient | null {
  if (getThreads() < 2 || dropout || !sharedMemoryAvailable()) return null;
  let headJSON: HeadJSON;
  if (head.kind === "gaussian-variance") headJSON = head;
  else {
    if (builtInFamilyName(head.family) === undefined) return null;
    headJSON = {
      kind: "family",
      family: familyToJSON(head.family, arch.outputs, {}),
      outputs: head.outputs,
    };
  }
  const shapes = parameterShapes(arch);
  let size = 0;
  for (const layer of shapes)
    for (const shape of Object.values(layer)) size += shape.reduce((p, s) => p * s, 1);
  const alloc = dtype === "float32" ? sharedFloat32 : sharedFloat64;
  const flat = alloc(size);
  const xs = alloc(batchSize * arch.inputs);
  const ys = alloc(batchSize);
  const ws = weighted ? alloc(batchSize) : null;
  const args: GradArgs = {
    arch,
    head: headJSON,
    dtype,
    params: flat,
    x: xs,
    y: ys,
    w: ws,
    cols: arch.inputs,
  };
  // one session per training run, opened by its first large batch: the workers get the
  // arguments once and wait for the next batch's rows in shared memory, instead of a
  // message per batch
  let session: RowSession | null = null;
  let grads: MlpParams | null = null;
  return {
    close() {
      session?.close();
      session = null;
    },
    valueAndGrad(params, batch, weightDecay) {
      const rows = batch.x.shape[0];
      const work = rows * size;
      if (
        rows > batchSize ||
        (batch.weights !== undefined) !== weighted ||
        !goesParallel(work, MLP_THREAD_MIN_WORK)
      )
        return null;
      let at = 0;
      for (let i = 0; i < shapes.length; i++)
        for (const name of Object.keys(shapes[i])) {
          flat.set(params[i][name].data, at);
          at += params[i][name].data.length;
        }
      xs.set(batch.x.data);
      ys.set(batch.y.data);
      let total = rows;
      if (batch.weights !== undefined) {
        ws?.set(batch.weights.data);
        total = 0;
        for (const v of batch.weights.data) total += v;
      }
      session ??= openRows(task, args, 1 + size);
      const acc = session.run(rows, work, { minWork: MLP_THREAD_MIN_WORK });
      let value = acc[0] / total;
      // one set of gradient tensors per training run, in the parameters' key order (the
      // optimiser pairs them up by it), rewritten each batch as the one-thread path's
      // pooled gradients are (plain arrays, not `zeros`, which inside a BufferPool's run
      // would take arrays that the pool hands out again)
      grads ??= params.map((layer) =>
        Object.fromEntries(
          Object.entries(layer).map(([k, p]) => [
            k,
            tensor(dtype === "float32" ? new Float32Array(p.size) : new Float64Array(p.size), {
              shape: p.shape as number[],
              dtype,
            }),
          ]),
        ),
      );
      at = 1;
      for (let i = 0; i < shapes.length; i++)
        for (const name of Object.keys(shapes[i])) {
          const p = params[i][name].data;
          // the L2 penalty (λ/2)·Σ W² on the dense weights only, as in `objective`
          const decay = name === "weight" ? weightDecay : 0;
          value = meanGradient(acc, at, total, decay, p, grads[i][name].data, value);
          at += p.length;
        }
      return [value, grads];
    },
  };
}
