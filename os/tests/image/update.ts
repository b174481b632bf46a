/**
 * Update: on the box of boot 2 (the second disk still plugged in), bundles signed with another key and made for another
 * board are refused with their messages; the power is cut while RAUC writes slot B, and the box comes back on slot A
 * with its data (boot 3). Then N → N+1 from the dashboard as the owner does it (the resumable upload through the System
 * page's tus route, interrupted and resumed once; the root worker's RAUC check; Install with RAUC's percentage polled;
 * "Reboot into it"): boot 4 runs N+1 from slot B with the CA, the admin and TLS intact, marked good after the health
 * check and shown so on the System page.
 */
import { spawn } from "bun";
import { basename } from "node:path";
import { makeTestBundles, type TestBundles } from "./bundles";
import { appToken, bootedImage, curlVerified, dashboardApi, fetchCa, pollSystemState, SSH_OPTS, scpTo, sshRun, tusUpload, waitForSsh } from "./clients";
import {
  type Boot,
  type Concern,
  check,
  diskFingerprint,
  type ImageRun,
  pullPlug,
  serial,
  sleep,
  statusLine,
  waitForExit,
  waitForHttps,
  waitForSerial,
} from "./harness";

/** Refused before anything is written, with a sentence the owner can act on. */
function refusedBundles(run: ImageRun, b: Boot, bundles: TestBundles) {
  for (const [name, file, expected] of [
    ["signed with another key", bundles.wrongKey, /refused: the bundle is not signed with this box's update key/],
    ["made for another board", bundles.wrongBoard, /refused: this bundle is for another board \(nas-rpi4_64; this box is nas-x86_64\)/],
  ] as const) {
    const copied = scpTo(b, run.sshKey, file, "/data/refused.raucb");
    const r = sshRun(b, run.sshKey, "nas update /data/refused.raucb");
    check(
      `nas update: a bundle ${name} is refused with a clear message`,
      copied === "" && r.code === 1 && expected.test(r.err),
      copied || r.err.split("\n").at(-1),
    );
  }
}

/** N+1 copied over and installed with `nas update --no-reboot`; the power is cut once RAUC copies the image into slot B. */
async function cutPowerDuringInstall(run: ImageRun, b: Boot, bundles: TestBundles) {
  const copyStarted = performance.now();
  const copyError = scpTo(b, run.sshKey, bundles.nextBundle, "/data/update-next.raucb");
  check("the N+1 bundle copied onto the box", copyError === "", copyError || `${((performance.now() - copyStarted) / 1000).toFixed(0)} s`);
  const installing = spawn(["ssh", "-i", run.sshKey, "-p", String(b.ssh), ...SSH_OPTS, "root@127.0.0.1", "nas update /data/update-next.raucb --no-reboot"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  // RAUC's own progress (D-Bus), read over a second connection: cut once it is copying the image into slot B.
  let progress = "";
  for (const until = performance.now() + 300_000; performance.now() < until && installing.exitCode === null; await sleep(2000)) {
    progress = sshRun(b, run.sshKey, "busctl get-property de.pengutronix.rauc / de.pengutronix.rauc.Installer Progress", 30_000).out.trim();
    if (/Copying image/i.test(progress)) break;
  }
  await sleep(3000);
  const unfinished = installing.exitCode === null;
  await pullPlug(b);
  run.box = null;
  installing.kill(9);
  check("power cut while RAUC writes slot B", /Copying image/i.test(progress) && unfinished, progress || "no progress from RAUC");
  // Plugged in by the disks concern for boot 2, which this power cut ends.
  const stick = run.secondDisk!;
  check("the second disk carrying the image was not touched (GPT, state and data partitions)", diskFingerprint(stick.path) === stick.before);
}

/** Boot 3: back on slot A with version N and its data. */
async function backOnSlotA(run: ImageRun, bundles: TestBundles) {
  console.log("boot 3: after the power cut during the install");
  const third = await run.powerOn("3");
  const thirdSeconds = await waitForHttps(third);
  await waitForSsh(third, run.sshKey);
  check(
    "boot 3: the box serves https again, on slot A with version N",
    thirdSeconds !== null && bootedImage(third, run.sshKey) === bundles.current,
    thirdSeconds ? `${thirdSeconds.toFixed(1)} s, ${bootedImage(third, run.sshKey)}` : "timed out",
  );
  if (thirdSeconds === null) throw new Error(`boot 3: no https; serial log tail:\n${serial(third).slice(-4000)}`);
  const ca = run.ca!;
  check(
    "boot 3: the CA and the admin survived (data intact)",
    (await fetchCa(third)).sha256 === ca.sha256 && !curlVerified(third, ca.file, "/").location.endsWith("/setup"),
  );
  return third;
}

/**
 * Update N → N+1 from the dashboard, as the owner does it: sign in (an app token made over SSH stands in for the
 * passkey session a browser holds), upload the bundle through the System page's resumable upload, let the root worker
 * check it, install it, watch RAUC's progress, then "Reboot into it". Returns when the box rebooted.
 */
async function installFromDashboard(run: ImageRun, third: Boot, bundles: TestBundles) {
  const api = dashboardApi(third, appToken(run, third));
  const updateStarted = performance.now();
  const upload = await tusUpload(api, "/dashboard/system/update/uploads", bundles.nextBundle, basename(bundles.nextBundle));
  const uploadSeconds = (performance.now() - updateStarted) / 1000;
  check(
    "dashboard: the N+1 bundle uploads through the update page's resumable upload (resumed once)",
    upload.ok && upload.resumed,
    `${upload.detail}, ${uploadSeconds.toFixed(0)} s`,
  );
  const bundleId = upload.headers.get("x-bundle-id") ?? "";
  const inspected = await pollSystemState(api, (st) => st.staged?.id === bundleId && st.staged?.info !== null, 180_000);
  const info = inspected.state?.staged?.info;
  check(
    "dashboard: the root worker checked the bundle with RAUC: signature valid, version N+1, this board",
    info?.ok === true && info.version === bundles.next && info.compatible === "nas-x86_64",
    JSON.stringify(info ?? inspected.state),
  );
  const page = await api("/dashboard/system");
  const pageHtml = await page.text();
  check(
    "dashboard: the System page shows the checked bundle and both slots",
    page.status === 200 && pageHtml.includes('data-testid="bundle-ok"') && pageHtml.includes('data-testid="slots"'),
    String(page.status),
  );
  const installStarted = performance.now();
  const startInstall = await api("/dashboard/system/update/install", { method: "POST", body: new URLSearchParams({ bundleId }), redirect: "manual" });
  const seen = new Set<number>();
  const installed = await pollSystemState(
    api,
    (st) => {
      if (st.install?.progress !== undefined) seen.add(st.install.progress);
      return st.install?.status === "done" || st.install?.status === "failed";
    },
    900_000,
  );
  const installSeconds = (performance.now() - installStarted) / 1000;
  check(
    "dashboard: install with RAUC's progress polled from the page's state, then done",
    startInstall.status === 303 && installed.state?.install?.status === "done" && [...seen].some((p) => p > 1 && p < 100),
    `${startInstall.status}; progress seen ${[...seen].sort((a, b) => a - b).join(",")}; ${installed.state?.install?.error ?? ""}`,
  );
  const reboot = await api("/dashboard/system/update/reboot", { method: "POST", redirect: "manual" });
  const rebooted = await waitForExit(third, 180_000);
  check('dashboard: "Reboot into it" reboots the box', reboot.status === 303 && rebooted, String(reboot.status));
  if (!rebooted) throw new Error("boot 3 did not reboot after the dashboard's reboot");
  return { updateStarted, uploadSeconds, installSeconds };
}

/** Boot 4: N+1 from slot B, data intact, marked good after the health check, and the System page says so. */
async function runningNext(run: ImageRun, bundles: TestBundles, times: Awaited<ReturnType<typeof installFromDashboard>>) {
  const fourth = await run.powerOn("4");
  const fourthSeconds = await waitForHttps(fourth);
  await waitForSsh(fourth, run.sshKey);
  const updateSeconds = (performance.now() - times.updateStarted) / 1000;
  const version = fourthSeconds !== null ? bootedImage(fourth, run.sshKey) : "";
  check("boot 4: N+1 runs from slot B", version === bundles.next && (await waitForSerial(fourth, statusLine))?.[7] === "B", `${version}`);
  const ca = run.ca!;
  check(
    "boot 4: data intact after the dashboard update (the same CA, the admin still set up, TLS verifies)",
    fourthSeconds !== null &&
      (await fetchCa(fourth)).sha256 === ca.sha256 &&
      curlVerified(fourth, ca.file, "/healthz").verify === "0" &&
      !curlVerified(fourth, ca.file, "/").location.endsWith("/setup"),
  );
  const marked = await waitForSerial(fourth, /nas-health: healthy after [\d.]+ s/, 300_000);
  await sleep(5000); // rauc-mark-good runs right after boot-complete.target
  const statusNext = sshRun(fourth, run.sshKey, "nas update status").out;
  check(
    "boot 4: slot B marked good after the health check; nas update status shows both slots",
    marked !== null && new RegExp(`slot B: ${bundles.next.replace(/[.+]/g, "\\$&")}, good, booted`).test(statusNext),
    statusNext.replace(/\n/g, " | "),
  );
  run.timings.push(
    `update N → N+1 from the dashboard: upload ${times.uploadSeconds.toFixed(0)} s, install ${times.installSeconds.toFixed(0)} s, from the upload's start to N+1 answering https ${updateSeconds.toFixed(0)} s`,
  );
  // RAUC's view read again now that the health check marked slot B good (the page's "refresh" does the same).
  const api = dashboardApi(fourth, appToken(run, fourth));
  await api("/dashboard/system/update/refresh", { method: "POST", redirect: "manual" });
  const slotsAfter = (await pollSystemState(api, (st) => st.slots?.status?.slots?.some((x) => x.name === "B" && x.booted && x.good) === true, 120_000)).state;
  check(
    "dashboard: the System page shows slot B running N+1 and marked good, and the installed bundle is gone from staging",
    slotsAfter?.slots?.status?.slots?.some((x) => x.name === "B" && x.booted && x.good && x.version === bundles.next) === true && slotsAfter?.staged === null,
    JSON.stringify(slotsAfter?.slots ?? slotsAfter),
  );
}

export const update: Concern = {
  name: "update",
  needs: ["boot", "https", "dashboard", "disks"],
  prepare(run) {
    run.bundles = makeTestBundles(run.work);
  },
  async run(run) {
    const bundles = run.bundles!;
    const second = run.running("update");
    refusedBundles(run, second, bundles);
    await cutPowerDuringInstall(run, second, bundles);
    const third = await backOnSlotA(run, bundles);
    const times = await installFromDashboard(run, third, bundles);
    await runningNext(run, bundles, times);
  },
};
