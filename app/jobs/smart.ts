import { createSmartReader, type SmartReader } from "../../hw/smart";
import { listBlockDevices, type BlockDevice } from "../../hw/system";
import type { Db } from "../db/client";
import { createDashboardRepo } from "../dashboard/repo";
import { createDiskHealth, SMART_REFRESH_JOB, SMART_SELF_TEST_JOB } from "../dashboard/disk-health";
import type { JobHandler } from "../platform/queue/queue";
import { AppError } from "../errors";

export { SMART_REFRESH_JOB, SMART_SELF_TEST_JOB };

type SmartJobDeps = { db: Db; smart?: SmartReader; blockDevices?: () => Promise<BlockDevice[]> };

const healthOf = (deps: SmartJobDeps) =>
  createDiskHealth({
    repo: createDashboardRepo(deps.db),
    smart: deps.smart ?? createSmartReader(),
    blockDevices: deps.blockDevices ?? (() => listBlockDevices()),
  });

/**
 * `smart.refresh` (payload `{}` = every disk without waking them, or `{ device }` = that disk, woken). Needs root
 * to open real disks: on the image only the root storage worker takes it.
 */
export function smartRefreshHandler(deps: SmartJobDeps): JobHandler<"smart.refresh"> {
  const health = healthOf(deps);
  return async (job) => {
    const { device } = job.payload as { device?: unknown };
    if (device !== undefined && typeof device !== "string") throw new AppError(400, "payload.device must be a device path");
    // A disk that is gone or refuses (an AppError) is not helped by retrying: the queue fails the job at once.
    if (device) return await health.refreshOne(device);
    const scan = await health.refreshAll();
    if (!scan.available) {
      // Not installed will not fix itself; a timeout might.
      const message = `SMART is not available: ${scan.reason}`;
      throw scan.code === "not-installed" ? new AppError(409, message) : new Error(message);
    }
  };
}

/** `smart.self-test` (payload `{ device, kind: "short" | "long" }`): starts the test and stores a fresh reading. */
export function smartSelfTestHandler(deps: SmartJobDeps): JobHandler<"smart.self-test"> {
  const health = healthOf(deps);
  return async (job, ctx) => {
    const { device, kind } = job.payload as { device?: unknown; kind?: unknown };
    if (typeof device !== "string" || (kind !== "short" && kind !== "long")) throw new AppError(400, "payload needs device and kind short|long");
    ctx.log(await health.startSelfTest(device, kind));
  };
}
