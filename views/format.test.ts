import { expect, test } from "bun:test";
import { formatBytes } from "./format";

test("one size formatter for every page, in decimal units as OS file managers show them", () => {
  expect([0, 999, 1000, 8_800_000, 8_388_608, 1_500_000_000, 2e12].map(formatBytes)).toEqual([
    "0 B",
    "999 B",
    "1.0 kB",
    "8.8 MB",
    "8.4 MB",
    "1.5 GB",
    "2.0 TB",
  ]);
  expect([null, undefined, Number.NaN].map(formatBytes)).toEqual(["—", "—", "—"]);
});

test("times in the box's time zone with its name, and relative times", async () => {
  const { formatWhen, formatDate, formatAgo } = await import("./format");
  const at = new Date("2026-11-30T13:05:00Z");
  expect(formatWhen(at, "Europe/Berlin")).toBe("2026-11-30 14:05 CET");
  expect(formatDate(at, "Europe/Berlin")).toBe("2026-11-30 14:05");
  expect(formatWhen(at, "UTC")).toBe("2026-11-30 13:05 UTC");
  expect(formatAgo(at, new Date("2026-11-30T15:05:00Z"))).toBe("2 h ago");
  expect(formatAgo(at, new Date("2026-11-30T13:05:20Z"))).toBe("just now");
  expect(formatAgo(at, new Date("2026-12-03T13:05:00Z"))).toBe("3 days ago");
});

test("browsers are named from their user agent", async () => {
  const { describeBrowser } = await import("./format");
  expect(describeBrowser("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")).toBe("Firefox on Windows");
  expect(
    describeBrowser("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"),
  ).toBe("Safari on iOS");
  expect(describeBrowser(null)).toBe("Unknown browser");
  expect(describeBrowser("curl/8.5.0")).toBe("curl");
});

test("grid names are cut in the middle, keeping the extension", async () => {
  const { shortName, splitName } = await import("./drive/Listing");
  expect(shortName("lake at dawn, seen from the boathouse.jpg")).toBe("lake at dawn, s…thouse.jpg");
  expect(shortName("short.txt")).toBe("short.txt");
  expect([...shortName("ü".repeat(50) + ".jpeg")].length).toBe(26);
  expect(splitName("archive.tar.gz")).toEqual(["archive.tar", ".gz"]);
  expect(splitName(".bashrc")).toEqual([".bashrc", ""]);
});
