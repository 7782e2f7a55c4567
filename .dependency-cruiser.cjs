/**
 * Dependency rules of the monorepo, checked by `pnpm lint` / `pnpm test`
 * (dependency-cruiser). They keep the arrows of docs/architecture.md one-way:
 * no import cycles inside a package, packages only through each other's public
 * index, the layering of the packages, and family/link maths in @geoml/losses.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles make load order matter and hide layering; break them.",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      comment:
        "Every import resolves: a package used must be a declared dependency of the importer.",
      from: {},
      // a types-only package (topojson-specification, from @types) has no module to resolve
      to: { couldNotResolve: true, pathNot: "^topojson-specification$" },
    },
    {
      name: "public-index-only",
      severity: "error",
      comment:
        "A package is used through its public index (its package.json exports), never its internals.",
      from: { path: "^(packages|apps)/([^/]+)/" },
      to: {
        path: "^packages/[^/]+/src/",
        // the index, or a subpath the package's exports map declares (`@geoml/plot/png`)
        pathNot: [
          "^packages/$2/",
          "^packages/[^/]+/src/index\\.ts$",
          "^packages/plot/src/png\\.ts$",
          "^packages/autodiff/src/wasm\\.ts$",
        ],
      },
    },
    {
      name: "autodiff-is-the-base",
      severity: "error",
      comment: "@geoml/autodiff depends on no other package.",
      from: { path: "^packages/autodiff/" },
      to: { path: "^packages/(?!autodiff/)[^/]+/" },
    },
    {
      name: "losses-optim-on-autodiff-only",
      severity: "error",
      comment: "@geoml/losses and @geoml/optim build on @geoml/autodiff only.",
      from: { path: "^packages/(losses|optim)/" },
      to: { path: "^packages/(?!(autodiff|$1)/)[^/]+/" },
    },
    {
      name: "models-never-import-data",
      severity: "error",
      comment:
        "@geoml/models depends on autodiff, losses and optim only: never on grid, loaders or the CLI.",
      from: { path: "^packages/models/" },
      to: { path: "^packages/(?!(autodiff|losses|optim|models)/)[^/]+/" },
    },
    {
      name: "data-never-imports-models",
      severity: "error",
      comment: "grid and the loaders never import models (grid ↔ table is the one bridge).",
      from: { path: "^packages/(grid|netcdf|geotiff|zarr|io|plot)/" },
      to: { path: "^packages/(models|losses|optim|cli|batch)/" },
    },
    {
      name: "grid-imports-no-loader",
      severity: "error",
      from: { path: "^packages/grid/" },
      to: { path: "^packages/(netcdf|geotiff|zarr|io)/" },
    },
    {
      name: "nothing-imports-cli-or-apps",
      severity: "error",
      comment: "The command line and the apps sit on top: no package imports them.",
      from: { path: "^packages/(?!cli/)" },
      to: { path: "^(packages/cli|apps)/" },
    },
    {
      name: "family-maths-in-losses",
      severity: "error",
      comment:
        "Families, links and their fused kernels are written once, in @geoml/losses: modules named families/, links or row-kernels may not exist anywhere else.",
      from: {
        path: "(^|/)(families/|links?\\.ts$|row-kernels?\\.ts$|fused-links?\\.ts$)",
        pathNot: "^packages/losses/",
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|coverage)/" },
    // type-only imports are kept but marked: they vanish at run time, so they neither order
    // module loading nor form cycles (see no-circular), yet layering rules still see them
    tsPreCompilationDeps: "specify",
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "default"],
      extensions: [".ts", ".js", ".json"],
    },
    moduleSystems: ["es6"],
  },
};
