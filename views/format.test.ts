import { expect, test } from "bun:test";
import { formatBytes } from "./format";

test("one size formatter for every page, in decimal units as OS file managers show them", () => {
  expect([0, 999, 1000, 8_800_000, 8_388_608, 1_500_000_000, 2e12].map(formatBytes)).toEqual(["0 B", "999 B", "1.0 kB", "8.8 MB", "8.4 MB", "1.5 GB", "2.0 TB"]);
  expect([null, undefined, Number.NaN].map(formatBytes)).toEqual(["—", "—", "—"]);
});
