/**
 * A model kind defined outside `@geoml/models`, as a user package would: the mean
 * of a response within the groups of one column. It implements the model
 * contract with `@geoml/models`' public API only and registers itself, so that
 * `loadModel` and `geoml predict` read its files.
 */
import {
  checkHeader,
  checkPredictOptions,
  confidenceInterval,
  type DataFrame,
  ModelError,
  ModelFileError,
  type NewData,
  type Prediction,
  type PredictOptions,
  type Results,
  registerModelKind,
} from "@geoml/models";

/** The saved form. */
export interface GroupMeanState {
  kind: "group-mean";
  formatVersion: 1;
  by: string;
  /** Per group: mean of y, its standard error and the row count. */
  groups: Record<string, { mean: number; se: number; n: number }>;
}

/** Fitted group means. */
export class GroupMeanResults implements Results {
  readonly kind = "group-mean";
  constructor(readonly state: GroupMeanState) {}

  predict(newdata: NewData, options: PredictOptions = {}): Prediction {
    const o = checkPredictOptions(options);
    if (o.interval === "prediction")
      throw new ModelError("BAD_OPTION", "group-mean: no prediction intervals");
    const column = Array.isArray(newdata) ? undefined : (newdata as DataFrame)[this.state.by];
    if (column === undefined)
      throw new ModelError("UNKNOWN_COLUMN", `group-mean: new data has no column "${this.state.by}"`);
    const n = column.length;
    const fit = new Float64Array(n);
    const se = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const g = this.state.groups[String(column[i])];
      if (g === undefined)
        throw new ModelError("UNKNOWN_LEVEL", `group-mean: unseen group "${column[i]}" in row ${i}`);
      fit[i] = g.mean;
      se[i] = g.se;
    }
    const out: { -readonly [K in keyof Prediction]: Prediction[K] } = {
      rows: Int32Array.from({ length: n }, (_, i) => i),
      type: o.type,
      fit,
      width: 1,
    };
    if (o.se) out.seLink = se;
    if (o.interval === "confidence") {
      // identity link: the interval on either scale is η ± z·se
      const ci = confidenceInterval(fit, se, o.level, o.type, (eta) => eta);
      Object.assign(out, { ...ci, interval: o.interval, level: o.level });
    }
    return out;
  }

  summary(): string {
    return Object.entries(this.state.groups)
      .map(([g, s]) => `${this.state.by}=${g}: ${s.mean.toFixed(4)} (se ${s.se.toFixed(4)}, n ${s.n})`)
      .join("\n");
  }

  toJSON(): GroupMeanState {
    return this.state;
  }
}

/** `groupMean({ by }).fit({ data, response })`: the mean of `response` within each value of `by`. */
export function groupMean(spec: { by: string }) {
  return {
    fit(input: { data: DataFrame; response: string }): GroupMeanResults {
      const g = input.data[spec.by];
      const y = input.data[input.response];
      if (g === undefined || y === undefined)
        throw new ModelError("UNKNOWN_COLUMN", "group-mean: missing column");
      const acc = new Map<string, number[]>();
      for (let i = 0; i < g.length; i++) {
        const k = String(g[i]);
        if (!acc.has(k)) acc.set(k, []);
        acc.get(k)!.push(Number(y[i]));
      }
      const groups: GroupMeanState["groups"] = {};
      for (const [k, v] of acc) {
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(v.length - 1, 1);
        groups[k] = { mean, se: Math.sqrt(variance / v.length), n: v.length };
      }
      return new GroupMeanResults({ kind: "group-mean", formatVersion: 1, by: spec.by, groups });
    },
  };
}

registerModelKind({
  kind: "group-mean",
  formatVersion: 1,
  load(json) {
    checkHeader(json, "group-mean");
    if (typeof json.by !== "string") throw new ModelFileError('group-mean: "by" must be a string');
    if (json.groups === null || typeof json.groups !== "object")
      throw new ModelFileError('group-mean: "groups" must be an object');
    return new GroupMeanResults(json as unknown as GroupMeanState);
  },
});
