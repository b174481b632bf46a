// pbf 3 has no type declarations; geocode.ts describes the reader methods it calls.
declare module "pbf" {
  const Pbf: unknown;
  export default Pbf;
}
