/**
 * Wilkinson–Rogers model formulas as in R and patsy: `y ~ x1 + x2 + x1:x2 + C(zone)
 * + offset(log_area)`, `a*b` for `a + b + a:b`, `- 1` or `+ 0` to drop the
 * intercept, `cbind(successes, failures)` for a Binomial response with trials, and
 * `I(...)` for arithmetic on columns. This file only describes the terms; building
 * the columns from data is `design.ts`.
 */
import { FormulaError } from "../glm/errors.js";
import { transform, transformNames } from "./transforms.js";

/** An arithmetic expression over columns, as inside `I(...)`, `log(...)` or `offset(...)`. */
export type Expr =
  | { kind: "column"; name: string }
  | { kind: "number"; value: number }
  | { kind: "unary"; op: "-"; arg: Expr }
  | { kind: "binary"; op: "+" | "-" | "*" | "/" | "^"; left: Expr; right: Expr }
  | { kind: "call"; fn: string; arg: Expr };

/** Names of the registered element-wise transforms (log, exp, sqrt, …, and any registered). */
function elementwiseNames(): string[] {
  return transformNames().filter((n) => transform(n)?.kind === "elementwise");
}

/** One factor of a term: a numeric expression or a categorical column. */
export interface Factor {
  /** Label used in coefficient names, e.g. `x1`, `log(area)`, `C(zone)`. */
  readonly label: string;
  /** `categorical` for `C(...)`; `auto` decides from the column type (strings are categorical). */
  readonly kind: "auto" | "categorical";
  readonly expr: Expr;
  /** A term transform (e.g. `poly(x, 3)`): its name, expression and numeric arguments. */
  readonly transform?: { readonly name: string; readonly args: Expr[]; readonly params: number[] };
}

/** A term is an interaction (product) of factors; a main effect has one factor. */
export type Term = readonly Factor[];

/** The response: one expression or `cbind(successes, failures)`. */
export type Response =
  | { kind: "single"; label: string; expr: Expr }
  | { kind: "cbind"; label: string; successes: Expr; failures: Expr };

/** A parsed formula. */
export interface Formula {
  readonly text: string;
  readonly response: Response | null;
  readonly intercept: boolean;
  readonly terms: readonly Term[];
  /** Expressions inside `offset(...)`; they are summed. */
  readonly offsets: readonly Expr[];
  /** Smooth terms `s(...)`/`te(...)`, fitted by the GAM; empty for other models. */
  readonly smooths: readonly SmoothTerm[];
}

/**
 * A smooth term as mgcv spells it: `s(x, bs="cr", k=10)`, `s(x, by=zone)`,
 * `te(lon, lat, k=c(5,5))`. Options left out are null here; the GAM applies
 * mgcv's defaults.
 */
export interface SmoothTerm {
  /** `s` (one basis over its variables) or `te` (tensor product of one-variable margins). */
  readonly type: "s" | "te";
  /** Covariate column names, in the order written. */
  readonly vars: readonly string[];
  /** Basis name(s): one for `s`, one per margin (or one for all) for `te`; null = default. */
  readonly bs: readonly string[] | null;
  /** Basis dimension(s); null = default. */
  readonly k: readonly number[] | null;
  /** Penalty order(s) `m`; null = default. */
  readonly m: readonly number[] | null;
  /** Factor column whose levels each get their own copy of the smooth. */
  readonly by: string | null;
  /** `fx=TRUE`: unpenalised (fixed degrees of freedom). */
  readonly fx: boolean;
  /** mgcv's label, e.g. `s(x)`, `te(lon,lat)`, `s(x):zone`. */
  readonly label: string;
}

type Tok = { t: "name" | "num" | "op" | "str"; v: string; pos: number };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n") {
      i++;
    } else if (/[A-Za-z_.]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_.]/.test(text[j])) j++;
      out.push({ t: "name", v: text.slice(i, j), pos: i });
      i = j;
    } else if (c === "`") {
      // backquoted names allow spaces and symbols, as in R
      const j = text.indexOf("`", i + 1);
      if (j < 0) throw new FormulaError(text, `unterminated \` at position ${i}`);
      out.push({ t: "name", v: text.slice(i + 1, j), pos: i });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?/.exec(text.slice(i));
      const v = m ? m[0] : c;
      out.push({ t: "num", v, pos: i });
      i += v.length;
    } else if (c === "*" && text[i + 1] === "*") {
      out.push({ t: "op", v: "^", pos: i });
      i += 2;
    } else if (c === '"' || c === "'") {
      // string literals appear only as smooth options: bs="cr"
      const j = text.indexOf(c, i + 1);
      if (j < 0) throw new FormulaError(text, `unterminated ${c} at position ${i}`);
      out.push({ t: "str", v: text.slice(i + 1, j), pos: i });
      i = j + 1;
    } else if ("~+-*:/^(),=".includes(c)) {
      out.push({ t: "op", v: c, pos: i });
      i++;
    } else {
      throw new FormulaError(text, `unexpected character "${c}" at position ${i}`);
    }
  }
  return out;
}

/** Text of an expression, normalised, for coefficient names. */
export function exprLabel(e: Expr): string {
  switch (e.kind) {
    case "column":
      return e.name;
    case "number":
      return String(e.value);
    case "unary":
      return `-${exprLabel(e.arg)}`;
    case "binary": {
      const wrap = (x: Expr) => (x.kind === "binary" ? `(${exprLabel(x)})` : exprLabel(x));
      const op = e.op === "^" ? " ** " : ` ${e.op} `;
      return `${wrap(e.left)}${op}${wrap(e.right)}`;
    }
    case "call":
      return `${e.fn}(${exprLabel(e.arg)})`;
  }
}

/** Columns an expression reads. */
export function exprColumns(e: Expr, into: Set<string> = new Set()): Set<string> {
  if (e.kind === "column") into.add(e.name);
  else if (e.kind === "unary" || e.kind === "call") exprColumns(e.arg, into);
  else if (e.kind === "binary") {
    exprColumns(e.left, into);
    exprColumns(e.right, into);
  }
  return into;
}

interface TermSet {
  terms: Term[];
  intercept: boolean | null; // null: not mentioned
  offsets: Expr[];
  smooths?: SmoothTerm[];
}

const smoothsOf = (a: TermSet, b: TermSet): SmoothTerm[] => {
  const out = [...(a.smooths ?? [])];
  for (const sm of b.smooths ?? []) if (!out.some((o) => o.label === sm.label)) out.push(sm);
  return out;
};

const termKey = (t: Term) =>
  t
    .map((f) => f.label)
    .sort()
    .join(":");

function union(a: Term[], b: Term[]): Term[] {
  const seen = new Set(a.map(termKey));
  const out = [...a];
  for (const t of b) {
    const k = termKey(t);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(t);
    }
  }
  return out;
}

function interact(a: Term[], b: Term[]): Term[] {
  const out: Term[] = [];
  for (const x of a)
    for (const y of b) {
      const labels = new Set(x.map((f) => f.label));
      out.push([...x, ...y.filter((f) => !labels.has(f.label))]);
    }
  return union([], out);
}

class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly toks: Tok[],
  ) {}

  fail(msg: string): never {
    const tok = this.toks[this.i];
    const where = tok ? `at position ${tok.pos} ("${tok.v}")` : "at the end";
    throw new FormulaError(this.text, `${msg} ${where}`);
  }
  peek(v?: string): Tok | undefined {
    const t = this.toks[this.i];
    return v === undefined || (t && t.t === "op" && t.v === v) ? t : undefined;
  }
  eat(v: string): void {
    if (!this.peek(v)) this.fail(`expected "${v}"`);
    this.i++;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }

  formula(): Formula {
    let response: Response | null = null;
    const tilde = this.toks.findIndex((t) => t.t === "op" && t.v === "~");
    if (tilde < 0) this.fail('expected "~"');
    if (tilde > 0) {
      response = this.response();
    }
    this.eat("~");
    const set = this.sum();
    if (!this.done()) this.fail("unexpected token");
    return {
      text: this.text,
      response,
      intercept: set.intercept ?? true,
      terms: set.terms,
      offsets: set.offsets,
      smooths: set.smooths ?? [],
    };
  }

  response(): Response {
    const t = this.peek();
    if (t?.t === "name" && t.v === "cbind") {
      this.i++;
      this.eat("(");
      const successes = this.arith();
      this.eat(",");
      const failures = this.arith();
      this.eat(")");
      return {
        kind: "cbind",
        label: `cbind(${exprLabel(successes)}, ${exprLabel(failures)})`,
        successes,
        failures,
      };
    }
    const expr = this.arith();
    return { kind: "single", label: exprLabel(expr), expr };
  }

  sum(): TermSet {
    let acc: TermSet = { terms: [], intercept: null, offsets: [] };
    let sign: "+" | "-" = "+";
    if (this.peek("-")) {
      this.i++;
      sign = "-";
    }
    for (;;) {
      const rhs = this.product();
      if (sign === "+") {
        acc = {
          terms: union(acc.terms, rhs.terms),
          intercept: rhs.intercept ?? acc.intercept,
          offsets: [...acc.offsets, ...rhs.offsets],
          smooths: smoothsOf(acc, rhs),
        };
      } else {
        const drop = new Set(rhs.terms.map(termKey));
        acc = {
          terms: acc.terms.filter((t) => !drop.has(termKey(t))),
          intercept: rhs.intercept === true ? false : acc.intercept,
          offsets: acc.offsets,
          smooths: acc.smooths,
        };
        if (rhs.offsets.length) this.fail("cannot subtract an offset");
        if (rhs.smooths?.length) this.fail("cannot subtract a smooth term");
      }
      const op = this.peek("+") ?? this.peek("-");
      if (!op) return acc;
      this.i++;
      sign = op.v as "+" | "-";
    }
  }

  product(): TermSet {
    let acc = this.interaction();
    while (this.peek("*")) {
      if (acc.smooths?.length) this.fail("a smooth term cannot be multiplied; use te() or by=");
      this.i++;
      const rhs = this.interaction();
      if (rhs.smooths?.length) this.fail("a smooth term cannot be multiplied; use te() or by=");
      acc = {
        terms: union(union(acc.terms, rhs.terms), interact(acc.terms, rhs.terms)),
        intercept: acc.intercept ?? rhs.intercept,
        offsets: [...acc.offsets, ...rhs.offsets],
      };
    }
    return acc;
  }

  interaction(): TermSet {
    let acc = this.atom();
    while (this.peek(":")) {
      if (acc.smooths?.length) this.fail("a smooth term cannot be interacted; use te() or by=");
      this.i++;
      const rhs = this.atom();
      if (rhs.smooths?.length) this.fail("a smooth term cannot be interacted; use te() or by=");
      acc = {
        terms: interact(acc.terms, rhs.terms),
        intercept: acc.intercept ?? rhs.intercept,
        offsets: [...acc.offsets, ...rhs.offsets],
      };
    }
    return acc;
  }

  atom(): TermSet {
    const t = this.peek();
    if (!t) this.fail("expected a term");
    if (t.t === "op" && t.v === "(") {
      this.i++;
      const s = this.sum();
      this.eat(")");
      return s;
    }
    if (t.t === "num") {
      this.i++;
      if (t.v === "1") return { terms: [], intercept: true, offsets: [] };
      if (t.v === "0") return { terms: [], intercept: false, offsets: [] };
      this.i--;
      this.fail("only 0 or 1 may stand alone as a term");
    }
    if (t.t !== "name") this.fail("expected a term");
    const next = this.toks[this.i + 1];
    if (next?.t === "op" && next.v === "(") {
      const fn = t.v;
      this.i += 2;
      if (fn === "s" || fn === "te") {
        const sm = this.smooth(fn, t.pos);
        return { terms: [], intercept: null, offsets: [], smooths: [sm] };
      }
      if (fn === "C") {
        const arg = this.arith();
        this.eat(")");
        return {
          terms: [[{ label: `C(${exprLabel(arg)})`, kind: "categorical", expr: arg }]],
          intercept: null,
          offsets: [],
        };
      }
      if (fn === "offset") {
        const arg = this.arith();
        this.eat(")");
        return { terms: [], intercept: null, offsets: [arg] };
      }
      if (fn === "I") {
        const arg = this.arith();
        this.eat(")");
        return {
          terms: [[{ label: `I(${exprLabel(arg)})`, kind: "auto", expr: arg }]],
          intercept: null,
          offsets: [],
        };
      }
      const tr = transform(fn);
      if (tr?.kind === "elementwise") {
        const arg = this.arith();
        this.eat(")");
        const expr: Expr = { kind: "call", fn, arg };
        return {
          terms: [[{ label: exprLabel(expr), kind: "auto", expr }]],
          intercept: null,
          offsets: [],
        };
      }
      if (tr?.kind === "term") {
        // expressions, then numeric literals: poly(x, 3)
        const args: Expr[] = [];
        const params: number[] = [];
        for (;;) {
          const e = this.arith();
          if (e.kind === "number" || (e.kind === "unary" && e.arg.kind === "number"))
            params.push(e.kind === "number" ? e.value : -(e.arg as { value: number }).value);
          else if (params.length > 0) this.fail("expressions must come before numeric arguments");
          else args.push(e);
          if (!this.peek(",")) break;
          this.i++;
        }
        this.eat(")");
        const label = `${fn}(${[...args.map(exprLabel), ...params.map(String)].join(", ")})`;
        const expr = args[0] ?? { kind: "number", value: Number.NaN };
        return {
          terms: [[{ label, kind: "auto", expr, transform: { name: fn, args, params } }]],
          intercept: null,
          offsets: [],
        };
      }
      this.i -= 2;
      this.fail(
        `unknown function "${fn}" (known: s, te, C, I, offset, ${transformNames().join(", ")}; add one with registerTransform)`,
      );
    }
    this.i++;
    return {
      terms: [[{ label: t.v, kind: "auto", expr: { kind: "column", name: t.v } }]],
      intercept: null,
      offsets: [],
    };
  }

  /** The arguments of `s(` or `te(` up to and including `)`. */
  smooth(type: "s" | "te", pos: number): SmoothTerm {
    const vars: string[] = [];
    let bs: string[] | null = null;
    let k: number[] | null = null;
    let m: number[] | null = null;
    let by: string | null = null;
    let fx = false;
    const numbers = (what: string): number[] => {
      const t = this.peek();
      if (t?.t === "name" && t.v === "c" && this.toks[this.i + 1]?.v === "(") {
        this.i += 2;
        const out: number[] = [];
        for (;;) {
          const u = this.peek();
          if (u?.t !== "num") this.fail(`${type}(): ${what} must be numbers`);
          out.push(Number(u.v));
          this.i++;
          if (this.peek(",")) this.i++;
          else break;
        }
        this.eat(")");
        return out;
      }
      if (t?.t !== "num") this.fail(`${type}(): ${what} must be a number or c(...)`);
      this.i++;
      return [Number(t.v)];
    };
    const strings = (what: string): string[] => {
      const t = this.peek();
      if (t?.t === "name" && t.v === "c" && this.toks[this.i + 1]?.v === "(") {
        this.i += 2;
        const out: string[] = [];
        for (;;) {
          const u = this.peek();
          if (u?.t !== "str") this.fail(`${type}(): ${what} must be quoted names`);
          out.push(u.v);
          this.i++;
          if (this.peek(",")) this.i++;
          else break;
        }
        this.eat(")");
        return out;
      }
      if (t?.t !== "str") this.fail(`${type}(): ${what} must be a quoted name such as "cr"`);
      this.i++;
      return [t.v];
    };
    for (;;) {
      const t = this.peek();
      if (!t) this.fail(`${type}(): expected ")"`);
      if (t.t === "op" && t.v === ")") break;
      if (t.t !== "name") this.fail(`${type}(): expected a column name or option`);
      const named = this.toks[this.i + 1]?.t === "op" && this.toks[this.i + 1]?.v === "=";
      if (named) {
        this.i += 2;
        if (t.v === "bs") bs = strings("bs");
        else if (t.v === "k") k = numbers("k");
        else if (t.v === "m") m = numbers("m");
        else if (t.v === "by") {
          const u = this.peek();
          if (u?.t !== "name") this.fail(`${type}(): by must be a column name`);
          by = u.v;
          this.i++;
        } else if (t.v === "fx") {
          const u = this.peek();
          if (u?.t !== "name" || !["TRUE", "FALSE", "T", "F"].includes(u.v))
            this.fail(`${type}(): fx must be TRUE or FALSE`);
          fx = u.v.startsWith("T");
          this.i++;
        } else {
          this.i -= 2;
          this.fail(`${type}(): unknown option "${t.v}" (known: bs, k, m, by, fx)`);
        }
      } else {
        if (vars.length && (bs || k || m || by))
          this.fail(`${type}(): variables come before options`);
        vars.push(t.v);
        this.i++;
      }
      if (this.peek(",")) this.i++;
      else if (!this.peek(")")) this.fail(`${type}(): expected "," or ")"`);
    }
    this.eat(")");
    if (vars.length === 0)
      throw new FormulaError(this.text, `${type}() at position ${pos} names no variable`);
    if (new Set(vars).size !== vars.length)
      throw new FormulaError(this.text, `${type}() at position ${pos} repeats a variable`);
    if (k?.some((v) => !Number.isInteger(v)))
      throw new FormulaError(this.text, `${type}() at position ${pos}: k must be whole numbers`);
    const base = `${type}(${vars.join(",")})`;
    return { type, vars, bs, k, m, by, fx, label: by ? `${base}:${by}` : base };
  }

  // arithmetic inside I(), C(), offset(), cbind() and function calls
  arith(): Expr {
    let left = this.arTerm();
    for (;;) {
      const op = this.peek("+") ?? this.peek("-");
      if (!op) return left;
      this.i++;
      left = { kind: "binary", op: op.v as "+" | "-", left, right: this.arTerm() };
    }
  }
  arTerm(): Expr {
    let left = this.arPow();
    for (;;) {
      const op = this.peek("*") ?? this.peek("/");
      if (!op) return left;
      this.i++;
      left = { kind: "binary", op: op.v as "*" | "/", left, right: this.arPow() };
    }
  }
  arPow(): Expr {
    const base = this.arUnary();
    if (this.peek("^")) {
      this.i++;
      return { kind: "binary", op: "^", left: base, right: this.arPow() };
    }
    return base;
  }
  arUnary(): Expr {
    if (this.peek("-")) {
      this.i++;
      return { kind: "unary", op: "-", arg: this.arUnary() };
    }
    const t = this.peek();
    if (!t) this.fail("expected a value");
    if (t.t === "num") {
      this.i++;
      return { kind: "number", value: Number(t.v) };
    }
    if (t.t === "op" && t.v === "(") {
      this.i++;
      const e = this.arith();
      this.eat(")");
      return e;
    }
    if (t.t !== "name") this.fail("expected a column name or number");
    this.i++;
    if (this.peek("(")) {
      this.i++;
      const arg = this.arith();
      this.eat(")");
      // I(...) only protects arithmetic, as in R and patsy: on either side of ~
      if (t.v === "I") return arg;
      if (transform(t.v)?.kind !== "elementwise") {
        this.i -= 1;
        this.fail(
          `unknown function "${t.v}" in an expression (element-wise: I, ${elementwiseNames().join(", ")}; add one with registerTransform)`,
        );
      }
      return { kind: "call", fn: t.v, arg };
    }
    return { kind: "column", name: t.v };
  }
}

/** Parses a model formula; throws {@link FormulaError} naming the position of a mistake. */
export function parseFormula(text: string): Formula {
  return new Parser(text, tokenize(text)).formula();
}
