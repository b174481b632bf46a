/**
 * Support: a support bundle from the booted image, made by the root worker and downloaded by the admin: the journal
 * of the nasd units, the versions and RAUC's status are in it; the app token and private keys are not.
 */
import { appToken, dashboardApi, pollSystemState } from "./clients";
import { type Concern, check } from "./harness";

export const support: Concern = {
  name: "support",
  needs: ["boot", "https", "dashboard", "disks", "update"],
  async run(run) {
    const b = run.running("support");
    const token = appToken(run, b);
    const api = dashboardApi(b, token);
    const supportStarted = performance.now();
    await api("/dashboard/system/support", { method: "POST", redirect: "manual" });
    const made = await pollSystemState(api, (st) => (st.support ?? []).length > 0, 180_000);
    const supportName = made.state?.support?.[0] ?? "";
    const download = supportName ? await api(`/dashboard/system/support/${supportName}`) : null;
    const tarString = download?.status === 200 ? new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await download.arrayBuffer()))) : "";
    check(
      "dashboard: a support bundle downloads (journal of the nasd units, versions, RAUC status) and holds neither the app token nor a key",
      /nasd-web|nasd\[|bun\[/.test(tarString) &&
        tarString.includes(`IMAGE_VERSION=${run.bundles!.next}`) &&
        /Compatible|compatible/.test(tarString) &&
        !tarString.includes(token) &&
        !/BEGIN [A-Z ]*PRIVATE KEY/.test(tarString),
      `${supportName} ${download?.status}, ${tarString.length} bytes, ${((performance.now() - supportStarted) / 1000).toFixed(0)} s`,
    );
  },
};
