// A PMTiles (v3) archive made in the test, as an owner's detailed basemap would be: one raster tile per entry, no
// compression, the header and root directory laid out as the specification says (github.com/protomaps/PMTiles,
// spec/v3). Small enough to read here: the reader under test is the pmtiles package in the browser.

const varints = (values: number[]) => {
  const out: number[] = [];
  for (let v of values) {
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
  }
  return out;
};

/** Tile ids of zoom 0 and 1 (Hilbert order within a zoom, zooms one after the other). */
const Z1 = { "0/0/0": 0, "1/0/0": 1, "1/0/1": 2, "1/1/1": 3, "1/1/0": 4 } as const;

/** `tiles`: "z/x/y" (zooms 0–1) → PNG bytes; `metadata`: the archive's JSON. Tile type 2 (PNG); the whole world as bounds. */
export function rasterPmtiles(tiles: Partial<Record<keyof typeof Z1, Uint8Array>>, metadata: object = {}): Uint8Array {
  const entries = Object.entries(tiles)
    .map(([zxy, data]) => ({ id: Z1[zxy as keyof typeof Z1], data: data! }))
    .sort((a, b) => a.id - b.id);
  let offset = 0;
  const placed = entries.map((e) => ({ ...e, offset: (offset += e.data.length) - e.data.length }));
  const dir = Uint8Array.from([
    ...varints([placed.length]),
    ...varints(placed.map((e, i) => e.id - (i > 0 ? placed[i - 1]!.id : 0))), // ids as steps from the previous one
    ...varints(placed.map(() => 1)),
    ...varints(placed.map((e) => e.data.length)),
    ...varints(placed.map((e, i) => (i > 0 && e.offset === placed[i - 1]!.offset + placed[i - 1]!.data.length ? 0 : e.offset + 1))),
  ]);
  const meta = new TextEncoder().encode(JSON.stringify(metadata));
  const header = new DataView(new ArrayBuffer(127));
  new TextEncoder().encodeInto("PMTiles", new Uint8Array(header.buffer));
  header.setUint8(7, 3);
  const u64 = (at: number, v: number) => header.setBigUint64(at, BigInt(v), true);
  const tileData = 127 + dir.length + meta.length;
  u64(8, 127);
  u64(16, dir.length);
  u64(24, 127 + dir.length);
  u64(32, meta.length);
  u64(40, tileData);
  u64(48, 0);
  u64(56, tileData);
  u64(64, offset);
  u64(72, placed.length);
  u64(80, placed.length);
  u64(88, placed.length);
  header.setUint8(96, 1); // clustered
  header.setUint8(97, 1); // internal compression: none
  header.setUint8(98, 1); // tile compression: none
  header.setUint8(99, 2); // PNG
  header.setUint8(100, 0);
  header.setUint8(101, Math.max(...placed.map((e) => (e.id === 0 ? 0 : 1))));
  header.setInt32(102, -180e7, true);
  header.setInt32(106, -85e7, true);
  header.setInt32(110, 180e7, true);
  header.setInt32(114, 85e7, true);
  header.setUint8(118, 0);
  const out = new Uint8Array(tileData + offset);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(dir, 127);
  out.set(meta, 127 + dir.length);
  for (const e of placed) out.set(e.data, tileData + e.offset);
  return out;
}
