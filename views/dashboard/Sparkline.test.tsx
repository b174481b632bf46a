import { describe, expect, test } from "bun:test";
import { downsample, Sparkline, UsageBar } from "./Sparkline";

describe("Sparkline", () => {
  test("scales values to the box and breaks the line at gaps", () => {
    const svg = String(<Sparkline values={[0, 50, 100, null, 100, 0]} max={100} label="CPU" />);
    expect(svg).toContain('<polyline points="0.0,31.0 24.0,16.0 48.0,1.0" vector-effect="non-scaling-stroke">');
    expect(svg).toContain('<polyline points="96.0,1.0 120.0,31.0" vector-effect="non-scaling-stroke">');
    expect(svg).toContain('aria-label="CPU"');
    expect(svg).not.toContain("style=");
  });

  test("a lone point between gaps is a dot; no data is a sentence, not an empty chart", () => {
    expect(String(<Sparkline values={[null, 20, null]} max={100} label="x" />)).toContain('<circle cx="60.0"');
    expect(String(<Sparkline values={[]} label="x" />)).toContain("No samples yet");
  });

  test("values above max stretch the scale", () => {
    expect(String(<Sparkline values={[0, 200]} max={100} label="x" />)).toContain("120.0,1.0");
  });
});

test("downsample averages buckets and keeps gaps", () => {
  expect(downsample([1, 3, 5, 7], 2)).toEqual([2, 6]);
  expect(downsample([null, null, 4, 6], 2)).toEqual([null, 5]);
  expect(downsample([1, 2], 5)).toEqual([1, 2]);
});

test("UsageBar is an SVG width, clamped, coloured by level", () => {
  expect(String(<UsageBar percent={93.44} label="93 %" />)).toContain('class="usage-bar usage-warn"');
  expect(String(<UsageBar percent={93.44} label="93 %" />)).toContain('width="93.4"');
  expect(String(<UsageBar percent={150} label="x" />)).toContain('class="usage-bar usage-bad"');
  expect(String(<UsageBar percent={-5} label="x" />)).toContain('width="0.0"');
});
