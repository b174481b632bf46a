// Load (issue 21, suite part 5): clients on loopback against the real web and worker processes, mixing what a family
// does (browse, search, the timeline, thumbnails, uploads, downloads, a phone's WebDAV listing and upload). Prints p50/p99 per
// action, the errors (expected: 0) and the web and worker RSS sampled each second: at the start, after the warm-up and
// at the end (expected: flat). `bun bench/load.ts [seconds] [clients]` (default 300 s, 50 clients: `make soak`); the
// reliability suite runs it for a few seconds (test/reliability/load.test.ts).
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { startBox, type Box } from "../test/support/processes";

export type LoadReport = {
  seconds: number;
  clients: number;
  actions: { action: string; count: number; p50: number; p99: number }[];
  errors: string[];
  rss: { web: { start: number; warm: number; end: number }; worker: { start: number; warm: number; end: number } };
};

const rssOf = (pid: number | undefined) => {
  if (!pid) return 0;
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
  } catch {
    return 0;
  }
};
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/** What the clients find on the box: folders of files and photos (the worker makes their thumbnails as the load runs). */
async function seed(box: Box) {
  const files: string[] = [];
  const folders: string[] = [];
  for (let f = 0; f < 5; f++) {
    const res = await box.api("/api/v1/folders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: `Trip ${f}` }),
    });
    const folder = ((await res.json()) as { item: { id: string } }).item.id;
    folders.push(folder);
    for (let i = 0; i < 12; i++) {
      const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: f * 40, g: i * 20, b: 128 } } })
        .jpeg()
        .toBuffer();
      const up = await box.api(`/api/v1/upload?name=photo-${f}-${i}.jpg&parentId=${folder}`, { method: "POST", body: photo });
      files.push(((await up.json()) as { item: { id: string } }).item.id);
    }
  }
  return { files, folders };
}

export async function runLoad(opts: { seconds: number; clients: number; box?: Box }): Promise<LoadReport> {
  const box = opts.box ?? (await startBox());
  const { files, folders } = await seed(box);
  const rss = { web: [] as number[], worker: [] as number[] };
  const sampler = setInterval(() => {
    rss.web.push(rssOf(box.web?.pid));
    rss.worker.push(rssOf(box.worker?.pid));
  }, 1000);
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const timings = new Map<string, number[]>();
  const errors: string[] = [];
  const actions: [string, number, () => Promise<Response>][] = [
    ["browse", 20, () => box.api(`/api/v1/files/${pick(folders)}`)],
    ["browse (page)", 10, () => box.api(`/drive/f/${pick(folders)}`)],
    ["search", 10, () => box.api(`/api/v1/search?q=photo-${Math.floor(Math.random() * 5)}`)],
    ["timeline", 10, () => box.api("/photos/api/buckets")],
    ["thumbnail", 25, () => box.api(`/drive/thumb/${pick(files)}`)],
    ["download", 15, () => box.api(`/api/v1/files/${pick(files)}/content`)],
    [
      "upload",
      10,
      () =>
        box.api(`/api/v1/upload?name=load-${crypto.randomUUID()}.txt&parentId=${pick(folders)}`, { method: "POST", body: new Uint8Array(64 * 1024).fill(1) }),
    ],
    // A phone syncing: the listing its app asks for, and a photo-sized PUT.
    ["dav listing", 5, () => box.dav(`Trip%20${Math.floor(Math.random() * 5)}/`, { method: "PROPFIND", headers: { depth: "1" } })],
    [
      "dav upload",
      5,
      () => box.dav(`Trip%20${Math.floor(Math.random() * 5)}/dav-${crypto.randomUUID()}.bin`, { method: "PUT", body: new Uint8Array(256 * 1024).fill(2) }),
    ],
  ];
  const total = actions.reduce((n, a) => n + a[1], 0);
  const choose = () => {
    let r = Math.random() * total;
    for (const a of actions) if ((r -= a[1]) < 0) return a;
    return actions[0]!;
  };
  const deadline = performance.now() + opts.seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const [name, , send] = choose();
      const t0 = performance.now();
      try {
        const res = await send();
        await res.arrayBuffer();
        if (res.status >= 400) errors.push(`${name}: ${res.status}`);
      } catch (e) {
        errors.push(`${name}: ${(e as Error).message}`);
      }
      timings.set(name, [...(timings.get(name) ?? []), performance.now() - t0]);
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, client));
  clearInterval(sampler);
  if (!opts.box) await box.stop();
  const warmAt = Math.min(rss.web.length - 1, Math.max(0, Math.floor(rss.web.length / 5)));
  const tail = (xs: number[]) => median(xs.slice(-Math.max(1, Math.floor(xs.length / 10))));
  return {
    seconds: opts.seconds,
    clients: opts.clients,
    actions: [...timings].map(([action, ts]) => {
      const sorted = ts.sort((a, b) => a - b);
      return { action, count: ts.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
    }),
    errors,
    rss: {
      web: { start: rss.web[0] ?? 0, warm: rss.web[warmAt] ?? 0, end: tail(rss.web) },
      worker: { start: rss.worker[0] ?? 0, warm: rss.worker[warmAt] ?? 0, end: tail(rss.worker) },
    },
  };
}

export function printReport(r: LoadReport) {
  const mb = (b: number) => `${Math.round(b / 1048576)} MiB`;
  console.log(`load: ${r.clients} clients for ${r.seconds} s on loopback, ${r.errors.length} errors`);
  console.log("| action | requests | p50 | p99 |\n|---|---|---|---|");
  for (const a of r.actions) console.log(`| ${a.action} | ${a.count} | ${a.p50.toFixed(1)} ms | ${a.p99.toFixed(1)} ms |`);
  console.log(`web RSS: ${mb(r.rss.web.start)} at start, ${mb(r.rss.web.warm)} after warm-up, ${mb(r.rss.web.end)} at the end`);
  console.log(`worker RSS: ${mb(r.rss.worker.start)} at start, ${mb(r.rss.worker.warm)} after warm-up, ${mb(r.rss.worker.end)} at the end`);
  if (r.errors.length) console.log(`errors: ${[...new Set(r.errors)].slice(0, 10).join("; ")}`);
}

if (import.meta.main) {
  const seconds = Number(process.argv[2] ?? 300);
  const clients = Number(process.argv[3] ?? 50);
  const report = await runLoad({ seconds, clients });
  printReport(report);
  process.exit(report.errors.length ? 1 : 0);
}
