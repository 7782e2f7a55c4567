import { describe, expect, it } from "vitest";
import { lineChart } from "./chart.js";

describe("lineChart", () => {
  it("draws one path per series and skips non-finite points", () => {
    const svg = lineChart({
      series: [
        {
          name: "train",
          points: [
            [1, 3],
            [2, 2],
            [3, 1],
          ],
          color: "#1f77b4",
        },
        {
          name: "valid",
          points: [
            [1, 4],
            [2, Number.NaN],
            [3, 2],
          ],
          color: "#d62728",
        },
      ],
      xLabel: "epoch",
      yLabel: "loss",
      logY: true,
    });
    expect(svg.match(/<path /g)?.length).toBe(2);
    expect(svg).toContain(">valid<");
    expect(svg).not.toContain("NaN");
  });
});
