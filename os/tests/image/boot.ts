/**
 * Boot: the image "flashed" onto a disk larger than itself, with its data partition damaged as by a flash gone wrong;
 * the power is cut during first-boot provisioning (boot 0), and the next boot re-makes the still-empty data filesystem,
 * serves https, mounts / read-only, runs the storage units and passes its health check on slot A.
 */
import { spawnSync } from "bun";
import { BOOT_TIMEOUT_MS, type Concern, check, DISK_BYTES, image, partitions, pullPlug, serial, statusLine, waitForHttps, waitForSerial } from "./harness";

export const boot: Concern = {
  name: "boot",
  needs: [],
  async run(run) {
    // "Flash" the image onto a larger disk; first boot must grow the data partition into the rest.
    spawnSync(["cp", "--sparse=always", image, run.disk]);
    spawnSync(["truncate", "-s", String(DISK_BYTES), run.disk]);
    // A flash that went wrong in the data partition (its filesystem is unreadable): still empty, so first boot makes it again.
    const flashed = partitions(run.disk).find((p) => p.name === "nasd-data")!;
    spawnSync(["dd", "if=/dev/urandom", `of=${run.disk}`, "bs=512", `seek=${flashed.start}`, "count=8192", "conv=notrunc", "status=none"]);

    console.log(`boot 0: ${image} on a ${DISK_BYTES / 1024 ** 3} GiB disk (OVMF → GRUB, TCG); power cut during first-boot provisioning`);
    const zeroth = await run.powerOn("0");
    const provisioning = await waitForSerial(zeroth, /nas-data: (growing partition|this disk has its own)/, BOOT_TIMEOUT_MS);
    await pullPlug(zeroth);
    check(
      "boot 0: first boot re-made the damaged, empty data filesystem, then the power was cut mid-provisioning",
      provisioning !== null && /nas-data: the new, empty data filesystem .* making it again/.test(serial(zeroth)),
      provisioning?.[0] ?? "no provisioning line",
    );

    console.log("boot 1: first boot again after the power cut");
    const first = await run.powerOn("1");
    const firstSeconds = await waitForHttps(first);
    check("boot 1: https /healthz answers 200 after the power cut", firstSeconds !== null, firstSeconds ? `${firstSeconds.toFixed(1)} s` : "timed out");
    if (firstSeconds === null) throw new Error(`no https; serial log tail:\n${serial(first).slice(-4000)}`);
    run.firstBootSeconds = firstSeconds;

    const status1 = await waitForSerial(first, statusLine);
    check("console status line printed", status1 !== null);
    check("/ is mounted read-only", status1?.[1] === "ro", `root=${status1?.[1]}`);
    check(
      "nas-storage.service ran and the root storage worker runs",
      status1?.[4] === "active" && status1?.[5] === "active",
      `storage=${status1?.[4]} storage_worker=${status1?.[5]}`,
    );
    check("polkit lets the web process reboot (pkcheck on its pid)", status1?.[6] === "yes", `power=${status1?.[6]}`);
    check(
      "slot A booted by GRUB, with a hardware watchdog for systemd to arm",
      status1?.[7] === "A" && status1?.[9] !== "none",
      `slot=${status1?.[7]} watchdog=${status1?.[9]}`,
    );
    check(
      "the health check passed (boot-complete.target → the slot is marked good)",
      (await waitForSerial(first, /nas-health: healthy after [\d.]+ s/, 120_000)) !== null,
    );
    run.dataBytes = Number(status1?.[2] ?? 0);
  },
};
