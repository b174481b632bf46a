/**
 * Memory: the whole box in 1 GB (`make image-memory` boots it with QEMU_MEMORY_MB=1024). While ten clients read
 * from the web process, the owner uploads twelve 12 MP photos, the iPhone HEIC and a 20 s 1080p HEVC video; the
 * pipeline processes all of it. Checked: nothing is killed for memory (kernel log, service restarts), every file is
 * processed, and the web process answers throughout (the longest wait is printed); the box's peak memory is printed
 * (the services' cgroup, sampled in the box during the ingest; the worker's VmHWM; the least MemAvailable seen).
 */
import { spawnSync } from "bun";
import { join } from "node:path";
import { variedSet } from "../../../test/support/varied";
import { appToken, type DashboardApi, dashboardApi, sshRun, sshRunAsync } from "./clients";
import { type Concern, check, MEMORY_MB, repo, sleep } from "./harness";

const PHOTOS = 12;
/** "13 photos and videos processed" once nothing is pending (earlier concerns may have added media of their own). */
const processed = (progress: string) => Number(/(\d+) photos and videos processed/.exec(progress)?.[1] ?? 0);
const CLIENTS = 10;

function hevcClip(path: string) {
  const made = spawnSync([
    "ffmpeg",
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=1920x1080:rate=30",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440",
    "-t",
    "20",
    "-c:v",
    "libx265",
    "-preset",
    "ultrafast",
    "-x265-params",
    "log-level=error",
    "-pix_fmt",
    "yuv420p",
    "-tag:v",
    "hvc1",
    "-c:a",
    "aac",
    "-shortest",
    "-f",
    "mov",
    path,
  ]);
  return made.exitCode === 0 ? "" : made.stderr.toString().slice(0, 200);
}

/** Ten readers, each asking for the Photos timeline's buckets and the health check in turn; the slowest answer counts. */
function readLoad(api: DashboardApi) {
  let stop = false;
  let longest = 0;
  let requests = 0;
  let failures = 0;
  const reader = async () => {
    for (let i = 0; !stop; i++) {
      const started = performance.now();
      try {
        const r = await api(i % 2 ? "/photos/api/buckets" : "/healthz", { timeoutMs: 60_000 });
        await r.arrayBuffer();
        if (r.status !== 200) failures++;
      } catch {
        failures++;
      }
      longest = Math.max(longest, performance.now() - started);
      requests++;
      await sleep(200);
    }
  };
  const all = Promise.all(Array.from({ length: CLIENTS }, reader));
  return {
    async end() {
      stop = true;
      await all;
      return { longest, requests, failures };
    },
  };
}

export const memory: Concern = {
  name: "memory",
  needs: ["boot", "https", "dashboard"],
  async run(run) {
    const b = run.running("memory");
    const api = dashboardApi(b, appToken(run, b));
    const photos = await variedSet(join(run.work, "photos"), PHOTOS, [[4000, 3000]]);
    const clip = join(run.work, "IMG_0002.MOV");
    const clipError = hevcClip(clip);
    check("the host made a 20 s 1080p HEVC clip", clipError === "", clipError);
    const files = [...photos, join(repo, "test/fixtures/photos/phone/iphone_13_pro_max.HEIC"), clip];
    const services = "/sys/fs/cgroup/system.slice";
    // The box's kernel (6.1) cannot reset memory.peak (6.12 can, per open file): a sampler in the box keeps the
    // services' highest memory.current from here on, twice a second, so the boot and earlier concerns do not count.
    const sampler = `m=0; while [ ! -e /run/memtest.stop ]; do c=$(cat ${services}/memory.current); if [ "$c" -gt "$m" ]; then m=$c; echo $m > /run/memtest.peak; fi; sleep 0.5; done`;
    sshRun(b, run.sshKey, `rm -f /run/memtest.stop /run/memtest.peak; nohup sh -c '${sampler}' </dev/null >/dev/null 2>&1 &`);
    const load = readLoad(api);
    const started = performance.now();
    let leastAvailable = Number.POSITIVE_INFINITY;
    for (const f of files) {
      const up = await api(`/api/v1/upload?name=${encodeURIComponent(f.split("/").at(-1)!)}`, { method: "PUT", body: Bun.file(f), timeoutMs: 600_000 });
      if (up.status !== 201) check(`upload ${f.split("/").at(-1)}`, false, `${up.status} ${await up.text()}`);
    }
    let progress = "";
    while (performance.now() - started < 3_600_000) {
      const meminfo = (await sshRunAsync(b, run.sshKey, "grep MemAvailable /proc/meminfo", 60_000)).out;
      leastAvailable = Math.min(leastAvailable, Number(/(\d+)/.exec(meminfo)?.[1] ?? Number.POSITIVE_INFINITY));
      progress = await (await api("/media/progress")).text();
      if (processed(progress) >= files.length) break;
      await sleep(5000);
    }
    const seconds = (performance.now() - started) / 1000;
    const { longest, requests, failures } = await load.end();
    const peak = Number(sshRun(b, run.sshKey, "touch /run/memtest.stop; cat /run/memtest.peak").out.trim());
    const sinceBoot = Number(sshRun(b, run.sshKey, `cat ${services}/memory.peak`).out.trim());
    // The worker's own high-water mark (VmHWM; its imaging, HEIC and ffmpeg children are in the cgroup figure).
    const workerHwm = sshRun(b, run.sshKey, "grep VmHWM /proc/$(systemctl show -p MainPID --value nasd-worker.service)/status").out.trim();
    const oom = sshRun(b, run.sshKey, "journalctl -k -b --no-pager | grep -ci -e 'out of memory' -e 'oom-kill' -e 'killed process'").out.trim();
    const restarts = sshRun(b, run.sshKey, "systemctl show -p NRestarts --value nasd-web.service nasd-worker.service").out.trim().split(/\s+/);
    const failed = /(\d+) could not be processed/.exec(progress)?.[1];
    check(
      `in ${MEMORY_MB} MB the box processes ${PHOTOS} × 12 MP photos, the iPhone HEIC and a 20 s 1080p HEVC video under ${CLIENTS} readers`,
      processed(progress) >= files.length && !failed,
      `${seconds.toFixed(0)} s; ${progress
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim()
        .slice(0, 120)}`,
    );
    check(
      "nothing was killed for memory, no service restarted",
      oom === "0" && restarts.every((n) => n === "0"),
      `kernel OOM lines ${oom}, restarts ${restarts.join("/")}`,
    );
    check(
      "the web process answered every reader throughout",
      failures === 0,
      `${requests} requests, ${failures} failed, longest ${(longest / 1000).toFixed(2)} s`,
    );
    const line = `memory in ${MEMORY_MB} MB: services' peak ${(peak / 1024 ** 2).toFixed(0)} MB while ingesting (system.slice memory.current sampled; ${(sinceBoot / 1024 ** 2).toFixed(0)} MB since boot), worker ${workerHwm.replace(/\s+/g, " ")}, least MemAvailable ${(leastAvailable / 1024).toFixed(0)} MB, longest web answer under load ${(longest / 1000).toFixed(2)} s over ${requests} requests, ingest ${seconds.toFixed(0)} s`;
    run.timings.push(line);
    console.log(line);
  },
};
