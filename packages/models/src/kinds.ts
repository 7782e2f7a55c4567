/**
 * Registration of the built-in model kinds: one line per kind. A kind defined
 * elsewhere registers itself the same way with `registerModelKind`.
 */
import { registerModelKind } from "./contract/registry.js";
import { loadGam } from "./gam/load.js";
import { loadMultinomial } from "./glm/multinomial.js";
import { loadGlm } from "./glm/results.js";
import { loadMlpResults } from "./mlp/load.js";

registerModelKind({ kind: "glm", formatVersion: 1, legacyFormats: ["geoml-glm"], load: loadGlm });
registerModelKind({
  kind: "multinomial",
  formatVersion: 1,
  legacyFormats: ["geoml-multinomial"],
  load: loadMultinomial,
});
registerModelKind({
  kind: "mlp",
  formatVersion: 1,
  legacyFormats: ["geoml.mlp"],
  load: loadMlpResults,
});
registerModelKind({ kind: "gam", formatVersion: 1, load: loadGam });
