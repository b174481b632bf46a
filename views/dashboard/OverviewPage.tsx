import type { DiskSummary } from "../../app/dashboard/health";
import type { SeriesPoint } from "../../app/dashboard/samples";
import type { DashboardService } from "../../app/dashboard/service";
import { DashboardShell, type Base } from "./Shell";
import { downsample, Sparkline, UsageBar } from "./Sparkline";
import { formatBytes, formatDuration, formatRate, formatTemp, formatWhen } from "../format";
import { diskHref } from "./links";
import type { PageChrome } from "../layout";

export type Overview = Awaited<ReturnType<DashboardService["overview"]>>;
/** The part of the overview the live cards show (polled every 5 s, so it reads nothing else). */
export type LiveOverview = Awaited<ReturnType<DashboardService["live"]>>;

export function OverviewPage(p: Base & { overview: Overview; hour: SeriesPoint[]; day: SeriesPoint[] }) {
  return (
    <DashboardShell page={p.page} title="Dashboard" tab="overview">
      <h1>Dashboard</h1>
      <LiveCards overview={p.overview} hour={p.hour} />
      <h2>Storage and disks</h2>
      <DisksCard overview={p.overview} page={p.page} />
      <h2>Last 24 hours</h2>
      <HistoryCard day={p.day} timeZone={p.page.timeZone} />
    </DashboardShell>
  );
}

const HEALTH_TEXT = { green: "Healthy", amber: "Needs attention", red: "Problem" } as const;

/** Swap target #live: health, CPU, memory, temperature, network, uptime, jobs. Polls every 5 s. */
export function LiveCards(p: { overview: LiveOverview; hour: SeriesPoint[] }) {
  const { sample, info, health, jobs } = p.overview;
  const up = sample.network.filter((n) => n.up);
  return (
    <div id="live" hx-get="/dashboard/fragments/live" hx-trigger="every 5s" hx-swap="outerHTML">
      <div class={`card health health-${health.level}`} data-testid="health">
        <div class="spread">
          <strong class="health-level">{HEALTH_TEXT[health.level]}</strong>
          <span class="muted small" safe>{`${info.hostname} · up ${formatDuration(sample.uptimeSeconds)}`}</span>
        </div>
        <p safe>{health.reason}</p>
      </div>
      <div class="cards dash-cards">
        <section class="card" data-testid="cpu-card">
          <h3>CPU</h3>
          <p class="big" safe>{`${Math.round(sample.cpu.percent)} %`}</p>
          <p class="muted small" safe>{`${info.cpuModel} · ${info.cores} cores · load ${sample.cpu.load1.toFixed(2)}`}</p>
          <div class="cores" role="group" aria-label="Load per core">
            {sample.cpu.perCore.map((c, i) => (
              <UsageBar percent={c} label={`core ${i}: ${Math.round(c)} %`} />
            ))}
          </div>
          <Sparkline values={p.hour.map((s) => s.cpu)} max={100} label="CPU over the last hour" tone="cpu" />
        </section>
        <section class="card" data-testid="memory-card">
          <h3>Memory</h3>
          <p class="big" safe>{`${Math.round(sample.memory.percent)} %`}</p>
          <p
            class="muted small"
            safe
          >{`${formatBytes(sample.memory.usedBytes)} used of ${formatBytes(sample.memory.totalBytes)}${sample.memory.swapTotalBytes ? ` · swap ${formatBytes(sample.memory.swapUsedBytes)}` : ""}`}</p>
          <Sparkline values={p.hour.map((s) => s.mem)} max={100} label="Memory over the last hour" tone="mem" />
        </section>
        <section class="card" data-testid="temperature-card">
          <h3>Temperature</h3>
          <p class="big" safe>
            {formatTemp(sample.cpuTemperatureC)}
          </p>
          <p class="muted small" safe>
            {sample.cpuTemperatureC === null
              ? "This machine exposes no temperature sensor (usual in a virtual machine)."
              : sample.temperatures.map((t) => `${t.label} ${formatTemp(t.celsius)}`).join(" · ")}
          </p>
          {sample.throttling ? <Throttling t={sample.throttling} /> : ""}
          <Sparkline values={p.hour.map((s) => s.temp)} max={90} label="CPU temperature over the last hour" tone="temp" />
        </section>
        <section class="card" data-testid="network-card">
          <h3>Network</h3>
          {up.length === 0 ? <p class="muted">No interface is up.</p> : ""}
          <ul class="plain">
            {up.map((n) => {
              const nic = info.interfaces.find((i) => i.name === n.name);
              return (
                <li>
                  <strong safe>{n.name}</strong>{" "}
                  <span class="muted small" safe>
                    {[nic?.ipv4, nic?.speedMbps ? `${nic.speedMbps} Mbit/s` : null].filter(Boolean).join(" · ")}
                  </span>
                  <br />
                  <span class="small" safe>{`↓ ${formatRate(n.rxBytesPerSec)}  ↑ ${formatRate(n.txBytesPerSec)}`}</span>
                </li>
              );
            })}
          </ul>
          <Sparkline
            values={p.hour.map((s) => (s.rx === null && s.tx === null ? null : (s.rx ?? 0) + (s.tx ?? 0)))}
            label="Network throughput over the last hour"
            tone="net"
          />
        </section>
        <section class="card" data-testid="system-card">
          <h3>System</h3>
          <p safe>{`${info.os.distro} ${info.os.release}`}</p>
          <p class="muted small" safe>
            {[`kernel ${info.os.kernel}`, info.arch, info.boardModel, info.imageVersion ? `image ${info.imageVersion}` : null].filter(Boolean).join(" · ")}
          </p>
          <p class="small" safe>{`Up ${formatDuration(sample.uptimeSeconds)}`}</p>
          <p class="small">
            Video acceleration: <span safe>{videoAcceleration(info.videoAcceleration)}</span>
          </p>
          <p class="muted small" data-testid="self-usage" safe>
            {selfUsage(p.overview.self)}
          </p>
        </section>
        <section class="card" data-testid="jobs-card">
          <h3>Jobs</h3>
          <p class="small" safe>{`${jobs.counts.running} running · ${jobs.counts.queued} queued · ${jobs.counts.failed} failed`}</p>
          {jobs.media ? <MediaJobs media={jobs.media} /> : ""}
          {jobs.people && (jobs.people.total > 0 || jobs.people.paused) ? <PeopleJobs people={jobs.people} /> : ""}
          {jobs.active.length === 0 ? <p class="muted small">Nothing in the queue.</p> : ""}
          <ul class="plain">
            {jobs.active.slice(0, 6).map((j) => (
              <li>
                <span class="small" safe>{`#${j.id} ${j.kind} · ${j.status}`}</span>
                {j.status === "running" ? <UsageBar percent={j.progress} label={`${j.progress} %`} /> : ""}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}

/** Photos and videos: how far the pipeline is, which encoder the worker chose and why, and a way to redo old output. */
function MediaJobs({ media }: { media: NonNullable<LiveOverview["jobs"]["media"]> }) {
  // The reason quotes ffmpeg's own words (from the worker): text, escaped like everything else.
  const encoder: string = media.encoder
    ? `Video encoder: ${media.encoder.label} — ${media.encoder.reason}`
    : "Video encoder: not checked yet (the worker checks at start)";
  return (
    <div data-testid="media-jobs">
      <p
        class="small"
        safe
      >{`Media: ${media.total - media.pending} of ${media.total} processed${media.failed ? ` · ${media.failed} could not be processed` : ""}`}</p>
      {media.pending > 0 ? <UsageBar percent={Math.round((100 * (media.total - media.pending)) / media.total)} label={`${media.pending} waiting`} /> : ""}
      <p class="muted small" data-testid="video-encoder" safe>
        {encoder}
      </p>
      <form hx-post="/media/reprocess" hx-target="this" hx-swap="afterend">
        <button type="submit" class="small">
          Re-process older media
        </button>
      </form>
    </div>
  );
}

/** Faces and things (app/people): how many photos the current models have seen, and why indexing waits if it does. */
function PeopleJobs({ people }: { people: NonNullable<LiveOverview["jobs"]["people"]> }) {
  const waiting = people.total - people.indexed;
  return (
    <div data-testid="people-jobs">
      <p
        class="small"
        safe
      >{`People and things: ${people.indexed} of ${people.total} photos indexed${people.failed ? ` · ${people.failed} could not be read` : ""}`}</p>
      {waiting > 0 ? <UsageBar percent={Math.round((100 * people.indexed) / people.total)} label={`${waiting} waiting`} /> : ""}
      {people.paused ? (
        <p class="muted small" data-testid="people-paused" safe>
          {`Paused: ${people.paused}`}
        </p>
      ) : (
        ""
      )}
    </div>
  );
}

function Throttling({ t }: { t: NonNullable<Overview["sample"]["throttling"]> }) {
  const now = [
    t.underVoltageNow && "under-voltage",
    t.throttledNow && "throttled",
    t.frequencyCappedNow && "frequency capped",
    t.softTempLimitNow && "soft temperature limit",
  ].filter(Boolean);
  const past = [
    t.underVoltageOccurred && "under-voltage",
    t.throttledOccurred && "throttling",
    t.frequencyCappedOccurred && "frequency capping",
    t.softTempLimitOccurred && "soft temperature limit",
  ].filter(Boolean);
  if (!now.length && !past.length)
    return (
      <p class="small">
        <span class="badge ok">Power OK</span> no under-voltage or throttling since boot
      </p>
    );
  return (
    <p class="small">
      {now.length ? <span class="badge bad" safe>{`Now: ${now.join(", ")}`}</span> : ""}{" "}
      {past.length ? <span class="badge warn" safe>{`Since boot: ${past.join(", ")}`}</span> : ""}
    </p>
  );
}

/** The web server's own cost, open dashboard tabs included: what "the dashboard costs < 1 % CPU" is checked against. */
function selfUsage(self: LiveOverview["self"]): string {
  const cpu =
    self.cpuPercentLastMinute === null ? "CPU share after the first minute" : `${self.cpuPercentLastMinute.toFixed(2)} % of one core over the last minute`;
  return `This server: ${formatBytes(self.rssBytes)} memory · ${cpu}`;
}

function videoAcceleration(devices: Overview["info"]["videoAcceleration"]): string {
  return devices.length ? devices.map((v) => `${v.name} (${v.path})`).join(", ") : "none found; videos are transcoded on the CPU.";
}

const STATUS_BADGE = { ok: "ok", warning: "warn", failing: "bad", unavailable: "" } as const;
const STATUS_TEXT = { ok: "Healthy", warning: "Warning", failing: "Failing", unavailable: "No SMART" } as const;

/** Swap target #disks: storage bar and disks with their SMART status. Polls every 60 s. */
export function DisksCard(p: { overview: Overview; page: PageChrome }) {
  const { storage, disks, diskCheck } = p.overview;
  return (
    <div id="disks" class="cards dash-cards" hx-get="/dashboard/fragments/disks" hx-trigger="every 60s" hx-swap="outerHTML">
      <section class="card" data-testid="storage-card">
        <h3>Data storage</h3>
        <p class="big" safe>{`${Math.round(storage.percent)} %`}</p>
        <UsageBar percent={storage.percent} label={`${storage.percent} % used`} />
        <p
          class="muted small"
          safe
        >{`${formatBytes(storage.usedBytes)} used · ${formatBytes(storage.freeBytes)} free of ${formatBytes(storage.totalBytes)}`}</p>
        <p class="muted small mono" safe>
          {storage.mount}
        </p>
        <p class="small">
          <a href="/dashboard/storage">What takes space, data disk, second-disk copy</a>
        </p>
        {p.overview.otherFilesystems.map((f) => (
          <div class="other-fs">
            <span class="small" safe>{`${f.label} (${f.mount}): ${Math.round(f.percent)} % of ${formatBytes(f.totalBytes)}`}</span>
            <UsageBar percent={f.percent} label={`${f.percent} % used`} />
          </div>
        ))}
      </section>
      <section class="card wide" data-testid="disks-card">
        <div class="spread">
          <h3>Disks</h3>
          <form method="post" action="/dashboard/disks/check">
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <button type="submit" class="link">
              Check disks now
            </button>
          </form>
        </div>
        {diskCheck?.unavailableReason ? <p class="notice warn small" safe>{`SMART is not available: ${diskCheck.unavailableReason}.`}</p> : ""}
        {diskCheck?.stalledSince ? (
          <p
            class="notice warn small"
            safe
          >{`The disk check queued at ${formatWhen(diskCheck.stalledSince, p.page.timeZone)} has not started: the storage worker (nasd-storage-worker.service), which reads SMART, does not seem to be running.`}</p>
        ) : diskCheck?.pending ? (
          <p class="muted small">Checking the disks…</p>
        ) : (
          ""
        )}
        {disks.length === 0 ? (
          <p class="muted">
            {diskCheck?.at
              ? `No disk found at the last check (${formatWhen(diskCheck.at, p.page.timeZone)}).`
              : "Disks are checked a few seconds after the server starts, then every hour."}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Disk</th>
                <th>Status</th>
                <th>Temp.</th>
                <th>Size</th>
              </tr>
            </thead>
            <tbody>
              {disks.map((d) => (
                <DiskRow d={d} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function DiskRow({ d }: { d: DiskSummary }) {
  const r = d.report;
  return (
    <tr>
      <td>
        <a href={diskHref(d.device)} class="mono" safe>
          {d.device}
        </a>
        <br />
        <span class="muted small" safe>
          {r.model ?? ""}
        </span>
      </td>
      <td>
        <span class={`badge ${STATUS_BADGE[d.status]}`}>{STATUS_TEXT[d.status]}</span>
        <br />
        <span class="small" safe>
          {d.reason}
        </span>
        {r.available && r.selfTest?.inProgress ? (
          <span class="small muted" safe>{` · self-test running, ${r.selfTest.remainingPercent ?? "?"} % left`}</span>
        ) : (
          ""
        )}
      </td>
      <td>{r.available ? formatTemp(r.temperatureC) : "—"}</td>
      <td safe>{formatBytes(r.capacityBytes)}</td>
    </tr>
  );
}

/** Swap target #history: the day's charts from the one-minute samples. Polls every 60 s. */
export function HistoryCard(p: { day: SeriesPoint[]; timeZone: string }) {
  const pick = (f: (s: SeriesPoint) => number | null) => downsample(p.day.map(f), 144);
  const first = p.day[0];
  return (
    <div id="history" class="card" hx-get="/dashboard/fragments/history" hx-trigger="every 60s" hx-swap="outerHTML" data-testid="history-card">
      <div class="history">
        <div>
          <h3>CPU %</h3>
          <Sparkline values={pick((s) => s.cpu)} max={100} label="CPU over 24 hours" tone="cpu" />
        </div>
        <div>
          <h3>Memory %</h3>
          <Sparkline values={pick((s) => s.mem)} max={100} label="Memory over 24 hours" tone="mem" />
        </div>
        <div>
          <h3>Temperature</h3>
          <Sparkline values={pick((s) => s.temp)} max={90} label="Temperature over 24 hours" tone="temp" />
        </div>
        <div>
          <h3>Network</h3>
          <Sparkline values={pick((s) => (s.rx === null && s.tx === null ? null : (s.rx ?? 0) + (s.tx ?? 0)))} label="Network over 24 hours" tone="net" />
        </div>
      </div>
      <p class="muted small">
        {first
          ? `${p.day.length} one-minute samples since ${formatWhen(first.at, p.timeZone)}`
          : "Samples are recorded once a minute; the charts fill in as the box runs."}
      </p>
    </div>
  );
}
