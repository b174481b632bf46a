// libheif-js ships no types for its WebAssembly bundle; image.ts describes the few members it uses.
declare module "libheif-js/wasm-bundle" {
  const libheif: unknown;
  export default libheif;
}
