/**
 * The architecture's rules that a machine can check (docs/CONVENTIONS.md, "Layout"), run by `make lint` through
 * scripts/arch-check.ts (which adds the one rule dependency-cruiser cannot state: no cycle between folders).
 * Only imports that exist at run time count: `import type` and `import("…").T` vanish when compiled.
 */
const VALUE = { dependencyTypesNot: ["type-only", "type-import"] };
const FEATURES = "(access|auth|backup|dashboard|dav|drive|home|maps|media|offline|people|photos|settings|setup|share|storage|tls|update)";

/**
 * What a feature offers the others. Anything else in its folder is its own business: reaching into it from another
 * feature is an error. The composition roots (app/*.ts) and tests may use anything.
 */
const ENTRY_POINTS = [
  "app/[^/]+/(service|routes|jobs|model)\\.tsx?$",
  // The access policy and the viewer's types are what every way in asks.
  "app/access/(policy|viewer)\\.ts$",
  // Serving a Drive file (ranges, ETags, disposition, zips): the same rules for Drive, Photos, links and previews.
  "app/drive/download\\.ts$",
  // The pipeline's decoders (sharp, libheif, RAW previews, orientation) and its low-priority child runs: Photos' edit
  // renderer (app/photos/edit/render.ts) reads originals exactly as the pipeline does.
  "app/media/(image|metadata|video)\\.ts$",
  // Cities' other names ("München"), which Photos' search understands.
  "app/media/place-names\\.ts$",
  // The blob store: Drive's content on disk, read by the media pipeline.
  "app/drive/blobs\\.ts$",
  // The database backups: counted by the storage page, offered by the setup wizard's restore.
  "app/dashboard/backups\\.ts$",
  // The second-disk copy's layout: where the scrub (app/backup) finds a good copy of a damaged blob.
  "app/storage/copy\\.ts$",
];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A module cycle (value imports only): split the shared part out, or pass it in.",
      from: {},
      to: { circular: true, viaOnly: VALUE },
    },
    {
      name: "hw-provision-stand-alone",
      severity: "error",
      comment: "hw/ and provision/ are the machine; they import nothing from app/ (the app depends on them, not back).",
      from: { path: "^(hw|provision)/" },
      to: { path: "^app/" },
    },
    {
      name: "views-import-types-only",
      severity: "error",
      comment: "Views are props → HTML: from app/ they import only types (the route computes the values).",
      from: { path: "^views/" },
      to: { path: "^app/", ...VALUE },
    },
    {
      name: "platform-imports-no-feature",
      severity: "error",
      comment: "app/platform is what every feature stands on; it imports no feature's values (they are passed in).",
      from: { path: "^app/platform/", pathNot: "\\.test\\.tsx?$" },
      to: { path: `^app/${FEATURES}/`, ...VALUE },
    },
    {
      name: "no-foreign-repo",
      severity: "error",
      comment: "A feature's tables are its repo's alone: another feature asks its service (a row's type may be named).",
      from: { path: "^app/([^/]+)/", pathNot: "\\.test\\.tsx?$" },
      to: { path: "^app/[^/]+/repo\\.ts$", pathNot: "^app/$1/", ...VALUE },
    },
    {
      name: "features-through-entry-points",
      severity: "error",
      comment: "Features reach each other only through declared entry points (ENTRY_POINTS in .dependency-cruiser.cjs).",
      from: { path: `^app/${FEATURES}/`, pathNot: "\\.test\\.tsx?$" },
      to: { path: `^app/${FEATURES}/`, pathNot: ["^app/$1/", ...ENTRY_POINTS], ...VALUE },
    },
  ],
  options: {
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules|^views/static/" },
  },
};
