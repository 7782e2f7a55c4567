import * as ad from "@geoml/autodiff";
import { expect, it } from "vitest";
import { getThreads, setThreads } from "../index.js";

it("pins the thread count of the one pool in @geoml/autodiff", () => {
  // the same functions, so models and autodiff never disagree on the count
  expect(setThreads).toBe(ad.setThreads);
  expect(getThreads).toBe(ad.getThreads);
});
