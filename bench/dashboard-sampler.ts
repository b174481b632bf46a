// CPU cost of one system sample (hw/system.ts), children included, against the naive systeminformation-only
// sample (whose cpuTemperature() spawns shells) measured in the same run.
// Run: bun bench/dashboard-sampler.ts [samples]
import { readFileSync } from "node:fs";
import si from "systeminformation";
import { createSystemSampler } from "../hw/system";

const CLK_TCK_MS = 10; // Linux USER_HZ = 100
function cpuTicks() {
  const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  // utime, stime, cutime, cstime: our own time plus that of children we waited for.
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
}

async function measure(name: string, n: number, sample: () => Promise<unknown>) {
  await sample();
  const t0 = cpuTicks();
  const w0 = performance.now();
  for (let i = 0; i < n; i++) {
    await sample();
    await Bun.sleep(20); // spaced like real samples so caches inside systeminformation do not hide the cost
  }
  const cpuMs = ((cpuTicks() - t0) * CLK_TCK_MS) / n;
  const wallMs = (performance.now() - w0) / n - 20;
  console.log(`${name.padEnd(26)} ${cpuMs.toFixed(2)} ms CPU/sample  ${wallMs.toFixed(2)} ms wall/sample`);
  return cpuMs;
}

const n = Number(process.argv[2] ?? 200);
const sampler = createSystemSampler();
const baseline = await measure("systeminformation only", n, () => Promise.all([si.currentLoad(), si.mem(), si.networkStats("*"), si.cpuTemperature()]));
const ours = await measure("hw/system.ts sample()", n, () => sampler.sample());
console.log(`ratio ours/baseline: ${(ours / baseline).toFixed(2)}`);
for (const every of [5, 60]) {
  console.log(`sampling every ${every} s costs ${((100 * ours) / (every * 1000)).toFixed(4)} % of one core`);
}
