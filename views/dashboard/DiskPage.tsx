import type { DiskSummary } from "../../app/dashboard/health";
import type { SmartReport } from "../../hw/smart-parse";
import { DashboardShell, type Base } from "./Shell";
import { formatBytes, formatCount, formatHours, formatTemp, formatWhen } from "../format";
import { diskHref } from "./links";
import type { PageChrome } from "../layout";

export function DiskPage(p: Base & { disk: DiskSummary & { checkPending: boolean }; message?: string; error?: string }) {
  const { disk } = p;
  const r = disk.report;
  return (
    <DashboardShell page={p.page} title={`Disk ${disk.device}`} tab="overview">
      <p>
        <a href="/dashboard">← Dashboard</a>
      </p>
      <h1 safe>{`${disk.device}${r.model ? ` · ${r.model}` : ""}`}</h1>
      {p.message ? (
        <div class="notice ok" safe>
          {p.message}
        </div>
      ) : (
        ""
      )}
      {p.error ? (
        <div class="notice bad" safe>
          {p.error}
        </div>
      ) : (
        ""
      )}
      {disk.checkPending ? (
        // Re-reads the page until the worker has stored the new reading; the refreshed page has no poller.
        <p class="notice" hx-get={diskHref(disk.device)} hx-trigger="every 2s" hx-select="#main" hx-target="#main" hx-swap="outerHTML">
          Reading SMART from the disk… this page updates when it is done.
        </p>
      ) : (
        ""
      )}
      {r.available ? (
        <DiskDetail disk={disk} report={r} page={p.page} />
      ) : (
        <div class="card" data-testid="smart-unavailable">
          <h2>SMART not available</h2>
          <p safe>{r.reason}</p>
          <p class="muted small" safe>{`Checked ${formatWhen(disk.checkedAt, p.page.timeZone)}`}</p>
          <RefreshForm device={disk.device} csrfToken={p.page.csrfToken} />
        </div>
      )}
    </DashboardShell>
  );
}

function RefreshForm({ device, csrfToken }: { device: string; csrfToken: string }) {
  return (
    <form method="post" action={`/dashboard/disk/refresh?dev=${encodeURIComponent(device)}`}>
      <input type="hidden" name="_csrf" value={csrfToken} />
      <button type="submit">Read SMART now</button>
      <span class="hint">Wakes the disk if it is asleep.</span>
    </form>
  );
}

function DiskDetail({ disk, report: r, page }: { disk: DiskSummary; report: SmartReport; page: PageChrome }) {
  const exitLines = disk.exitNotes;
  return (
    <>
      <div class="cards dash-cards">
        <section class="card">
          <h3>Health</h3>
          <p>
            <span class={`badge ${disk.status === "ok" ? "ok" : disk.status === "failing" ? "bad" : "warn"}`} safe>{`SMART ${r.health}`}</span>
          </p>
          <p class="small" safe>
            {disk.reason}
          </p>
          {exitLines.length ? (
            <ul class="small">
              {exitLines.map((l) => (
                <li safe>{l}</li>
              ))}
            </ul>
          ) : (
            ""
          )}
          <p class="muted small" safe>{`Read ${formatWhen(disk.checkedAt, page.timeZone)}`}</p>
          <RefreshForm device={disk.device} csrfToken={page.csrfToken} />
        </section>
        <section class="card">
          <h3>Identity</h3>
          <dl class="facts">
            <dt>Model</dt>
            <dd safe>{[r.family, r.model].filter(Boolean).join(" · ") || "—"}</dd>
            <dt>Serial</dt>
            <dd class="mono" safe>
              {r.serial ?? "—"}
            </dd>
            <dt>Firmware</dt>
            <dd safe>{r.firmware ?? "—"}</dd>
            <dt>Capacity</dt>
            <dd safe>{formatBytes(r.capacityBytes)}</dd>
            <dt>Interface</dt>
            <dd safe>{`${r.device.protocol} (smartctl -d ${r.device.type})`}</dd>
            <dt>Type</dt>
            <dd safe>{r.rotationRpm === null ? "—" : r.rotationRpm === 0 ? "SSD" : `${r.rotationRpm} rpm`}</dd>
          </dl>
        </section>
        <section class="card">
          <h3>Key values</h3>
          <dl class="facts">
            <dt>Temperature</dt>
            <dd safe>{formatTemp(r.temperatureC)}</dd>
            <dt>Powered on</dt>
            <dd safe>{formatHours(r.powerOnHours)}</dd>
            <dt>Power cycles</dt>
            <dd safe>{formatCount(r.powerCycles)}</dd>
            <dt>Reallocated</dt>
            <dd safe>{formatCount(r.reallocatedSectors)}</dd>
            <dt>Pending</dt>
            <dd safe>{formatCount(r.pendingSectors)}</dd>
            <dt>Uncorrectable</dt>
            <dd safe>{formatCount(r.uncorrectableSectors)}</dd>
            {r.nvme ? (
              <>
                <dt>Media errors</dt>
                <dd safe>{formatCount(r.nvme.mediaErrors)}</dd>
                <dt>Endurance used</dt>
                <dd safe>{`${r.nvme.percentageUsed} %`}</dd>
                <dt>Spare</dt>
                <dd safe>{r.nvme.availableSpare === null ? "—" : `${r.nvme.availableSpare} % (threshold ${r.nvme.availableSpareThreshold ?? "?"} %)`}</dd>
              </>
            ) : (
              ""
            )}
          </dl>
        </section>
      </div>

      <h2>Self-test</h2>
      <SelfTestCard device={disk.device} report={r} page={page} />

      {r.attributes.length ? (
        <>
          <h2>SMART attributes</h2>
          <div class="card table-wrap">
            <table class="attrs" data-testid="attributes">
              <thead>
                <tr>
                  <th>ID</th>
                  <th>Attribute</th>
                  <th>Value</th>
                  <th>Worst</th>
                  <th>Threshold</th>
                  <th>Raw</th>
                  <th>What it means</th>
                </tr>
              </thead>
              <tbody>
                {r.attributes.map((a) => (
                  <tr class={a.whenFailed ? "failed" : a.critical && a.raw > 0 ? "attention" : undefined}>
                    <td>{a.id}</td>
                    <td safe>{`${a.name}${a.prefailure ? " (pre-fail)" : ""}${a.whenFailed ? ` — FAILED ${a.whenFailed}` : ""}`}</td>
                    <td>{a.value}</td>
                    <td>{a.worst}</td>
                    <td>{a.threshold}</td>
                    <td class="mono" safe>
                      {a.rawText}
                    </td>
                    <td class="small" safe>
                      {a.meaning ?? "Vendor-specific."}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        ""
      )}
    </>
  );
}

/** Swap target #selftest: the running test's progress (polls until it ends), the start buttons and the log. */
export function SelfTestCard({ device, report: r, page }: { device: string; report: SmartReport; page: PageChrome }) {
  const running = r.selfTest?.inProgress ?? false;
  const poll = running
    ? { "hx-get": `/dashboard/fragments/selftest?dev=${encodeURIComponent(device)}`, "hx-trigger": "load delay:15s", "hx-swap": "outerHTML" }
    : {};
  return (
    <div id="selftest" class="card" data-testid="selftest" {...poll}>
      {running ? (
        <>
          <p safe>{`A self-test is running: ${r.selfTest?.remainingPercent ?? "?"} % left.`}</p>
          <progress max="100" value={String(100 - (r.selfTest?.remainingPercent ?? 100))}></progress>
        </>
      ) : (
        <form method="post" action={`/dashboard/disk/selftest?dev=${encodeURIComponent(device)}`} class="row">
          <input type="hidden" name="_csrf" value={page.csrfToken} />
          <button type="submit" name="kind" value="short">
            Start short test
          </button>
          <button type="submit" name="kind" value="long">
            Start long test
          </button>
          <span class="hint">
            {r.selfTest?.shortMinutes || r.selfTest?.longMinutes
              ? `About ${r.selfTest?.shortMinutes ?? "?"} min (short) or ${r.selfTest?.longMinutes ?? "?"} min (long); the disk stays usable.`
              : "The disk stays usable while it tests itself."}
          </span>
        </form>
      )}
      {r.selfTestLog.length === 0 ? (
        <p class="muted small">No self-test recorded yet.</p>
      ) : (
        <table class="small">
          <thead>
            <tr>
              <th>Test</th>
              <th>Result</th>
              <th>At power-on hour</th>
              <th>First bad LBA</th>
            </tr>
          </thead>
          <tbody>
            {r.selfTestLog.slice(0, 21).map((t) => (
              <tr class={t.passed ? undefined : "failed"}>
                <td safe>{t.type}</td>
                <td safe>{t.status}</td>
                <td safe>{formatCount(t.lifetimeHours)}</td>
                <td safe>{t.failingLba === null ? "—" : String(t.failingLba)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted small">
        <a href={diskHref(device)}>Reload</a>
      </p>
    </div>
  );
}
