import { placeOf } from "../app/media/geocode";
const pts: [string, number, number][] = [["chinatown NY",40.7158,-73.997],["times sq",40.758,-73.9855],["central park N",40.795,-73.955],["brooklyn",40.678,-73.944],["newark",40.7357,-74.1724],["moncloa",40.435,-3.719],["barcelona",41.4036,2.1744],["sydney",-33.8688,151.2093],["lauttasaari",60.159,24.875],["espoo",60.2055,24.6559],["munich",48.1374,11.5755],["alvalade",38.753,-9.144],["reykjavik",64.1466,-21.9426],["arezzo",43.4674,11.885],["gummersbach",51.025,7.5919],["sheffield",53.3828,-1.4567],["ocean",0,-30], ["moncloa center", 40.4355,-3.7317]];
const t0=performance.now();
for (const [n, la, lo] of pts) console.log(n, JSON.stringify(await placeOf(la, lo)));
console.log("ms", performance.now()-t0, process.memoryUsage().rss/1e6);
