import { defineConfig } from "vitest/config";

/**
 * The parity tests against PyTorch, statsmodels, mgcv and the optimisers' references,
 * run a second time on the pure-TypeScript fallback of every WebAssembly kernel
 * (`GEOML_SIMD=0`), so both paths stay correct.
 */
const FALLBACK_PARITY = [
  "packages/autodiff/src/torch.test.ts",
  "packages/autodiff/src/kernels/matmul.test.ts",
  "packages/losses/src/families.test.ts",
  "packages/losses/src/links.test.ts",
  "packages/optim/src/parity.test.ts",
  "packages/models/src/glm/statsmodels.test.ts",
  "packages/models/src/glm/multinomial.test.ts",
  "packages/models/src/glm/irls-pass.test.ts",
  "packages/models/src/mlp/torch.test.ts",
  "packages/models/src/gam/mgcv.test.ts",
];

export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "apps/*",
      "examples",
      { test: { name: "tools", include: ["tools/**/*.test.ts"] } },
      {
        test: {
          name: "fallback (GEOML_SIMD=0)",
          include: FALLBACK_PARITY,
          env: { GEOML_SIMD: "0" },
        },
      },
    ],
  },
});
