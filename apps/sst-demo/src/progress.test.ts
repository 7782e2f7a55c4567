import { describe, expect, it } from "vitest";
import { epochProgress } from "./progress.js";

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 100, write: (t: string) => out.push(t) } };
}

describe("epochProgress", () => {
  it("prints plain lines when not on a terminal", () => {
    const { out, stream } = sink(false);
    const p = epochProgress(stream);
    p.epoch("regression", 1, 2, 1.5);
    p.line("done");
    p.stop();
    expect(out).toEqual(["MLP regression epoch 1/2  loss 1.5000\n", "done\n"]);
  });

  it("redraws one bar in place on a terminal and clears it before a line", () => {
    const { out, stream } = sink(true);
    const p = epochProgress(stream);
    p.epoch("binary", 2, 2, 0.25);
    expect(out[0]).toBe(`\rMLP binary epoch 2/2 [${"#".repeat(30)}] loss 0.2500\x1b[K`);
    p.line("next");
    expect(out.slice(1)).toEqual(["\r\x1b[K", "next\n"]);
    p.stop();
    expect(out).toHaveLength(3);
  });
});
