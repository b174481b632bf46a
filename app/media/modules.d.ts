// Packages without type declarations; the modules that import them describe the few members they use.
declare module "libheif-js/wasm-bundle" {
  const libheif: unknown;
  export default libheif;
}
declare module "pbf" {
  const Pbf: unknown;
  export default Pbf;
}
