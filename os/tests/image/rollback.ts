/**
 * Rollback: a broken N+2 (validly signed; its web server exits at once) installs and the box reboots into it; it fails
 * its health check three times (GRUB's boot counter), the box returns to N+1 on slot B by itself with its data, and
 * `nas update status` and the System page report the rollback with the version that failed.
 */
import { appToken, bootedImage, dashboardApi, fetchCa, pollSystemState, scpTo, sshRun, waitForSsh } from "./clients";
import { BOOT_TIMEOUT_MS, type Boot, type Concern, check, type ImageRun, pullPlug, serial, sleep, waitForExit, waitForHttps } from "./harness";

/** Powers the box on after each reboot until N+1 answers (at most five times); counts the broken slot's failed boots. */
async function bootUntilBack(run: ImageRun) {
  let brokenBoots = 0;
  let back: Boot | null = null;
  for (let attempt = 1; attempt <= 5 && !back; attempt++) {
    const b = await run.powerOn(`rollback-${attempt}`);
    // Either the broken slot gives up and reboots (qemu ends), or N+1 comes back and answers.
    let answered = false;
    for (const until = performance.now() + BOOT_TIMEOUT_MS; !answered && performance.now() < until && b.qemu.exitCode === null; await sleep(2000)) {
      answered = await fetch(`https://127.0.0.1:${b.https}/healthz`, { tls: { rejectUnauthorized: false }, signal: AbortSignal.timeout(5000) }).then(
        (r) => r.status === 200,
        () => false,
      );
    }
    if (answered) back = b;
    else if (b.qemu.exitCode !== null && /nas: slot A/.test(serial(b)) && /nas-health: UNHEALTHY/.test(serial(b))) brokenBoots++;
    else await pullPlug(b);
  }
  return { back, brokenBoots };
}

export const rollback: Concern = {
  name: "rollback",
  needs: ["boot", "https", "dashboard", "disks", "update"],
  async run(run) {
    const bundles = run.bundles!;
    const fourth = run.running("rollback");
    const brokenCopy = scpTo(fourth, run.sshKey, bundles.brokenBundle, "/data/update-broken.raucb");
    const brokenStarted = performance.now();
    const brokenInstall = sshRun(fourth, run.sshKey, "nas update /data/update-broken.raucb");
    const brokenRebooted = await waitForExit(fourth, 180_000);
    check(
      "the broken bundle installs (it is validly signed) and the box reboots into it",
      brokenCopy === "" && /installed/.test(brokenInstall.out) && brokenRebooted,
      brokenCopy || brokenInstall.out.trim().split("\n").at(-1) || brokenInstall.err,
    );
    if (!brokenRebooted) throw new Error(`boot 4 did not reboot after nas update: ${brokenInstall.err}`);
    const rollbackStarted = performance.now();
    const { back, brokenBoots } = await bootUntilBack(run);
    const rollbackSeconds = (performance.now() - rollbackStarted) / 1000;
    check("the broken slot failed its health check and rebooted by itself, three times", brokenBoots === 3, `${brokenBoots} failed boots of slot A`);
    if (!back) throw new Error("the box did not come back to N+1 after the broken update");
    const backVersion = (await waitForHttps(back)) !== null && (await waitForSsh(back, run.sshKey)) ? bootedImage(back, run.sshKey) : "";
    check(
      "rollback: the box returned to N+1 on slot B by itself, data intact",
      backVersion === bundles.next && (await fetchCa(back)).sha256 === run.ca!.sha256,
      backVersion,
    );
    const statusBack = sshRun(back, run.sshKey, "nas update status").out;
    check(
      "nas update status reports the rollback",
      new RegExp(`rolled back: the update to ${bundles.broken.replace(/[.+]/g, "\\$&")} in slot A did not become healthy; running slot B`).test(statusBack),
      statusBack.replace(/\n/g, " | "),
    );
    run.timings.push(
      `rollback from a broken update: ${brokenBoots} failed boots, ${rollbackSeconds.toFixed(0)} s from its reboot to N+1 answering https again (install ${((rollbackStarted - brokenStarted) / 1000).toFixed(0)} s)`,
    );
    const backApi = dashboardApi(back, appToken(run, back));
    const reported = await pollSystemState(backApi, (st) => !!st.slots?.status?.rolledBack, 120_000);
    check(
      "dashboard: the System page reports the rollback with the version that failed",
      reported.state?.slots?.status?.rolledBack?.version === bundles.broken &&
        (await (await backApi("/dashboard/system")).text()).includes(`The update to ${bundles.broken} did not start properly`),
      JSON.stringify(reported.state?.slots ?? reported.state),
    );
  },
};
