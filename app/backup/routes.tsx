import { Elysia, t } from "elysia";
import { join } from "node:path";
import type { DashboardService } from "../dashboard/service";
import type { PageChrome, SignedInPage } from "../../views/layout";
import { RestoringPage } from "../../views/setup/RestorePanel";
import { AppError } from "../platform/errors";
import type { AccessControl } from "../platform/http/access";
import { withFormError } from "../platform/http/forms";
import { APP_ROOT } from "../platform/paths";
import type { SettingsService } from "../settings/service";
import type { BackupCheck, RestoreCandidate } from "../setup/restore";
import { BackupsPage, BackupStatus, ScrubCard, TargetList } from "../../views/backup/BackupsPage";
import { KitPage } from "../../views/backup/KitPage";
import { RestoreBoxPage, RestoreBoxProgress, RestoreBoxStatusPage } from "../../views/backup/RestoreBoxPage";
import { type BrowseView, RestoreList, SnapshotPage, SnapshotsPage } from "../../views/backup/RestorePages";
import { ConnectionStep, type DiskOffer, NewTargetPage, TargetSetupPage } from "../../views/backup/TargetSetup";
import { kitText } from "./kit";
import type { TargetKind } from "./restic";
import { type BackupService, parseOptions } from "./service";
import type { TargetInput } from "./targets";

type Deps = {
  access: AccessControl;
  settings: SettingsService;
  backup: BackupService;
  /** The nightly database copies (app/dashboard/backups.ts) and the admin banner. */
  dashboard: DashboardService;
  /** Mounted disks other than the data disk (app/storage): offered as USB/second-disk targets. */
  disks: () => Promise<DiskOffer[]>;
  /** What `quick_check` found when this process opened the database, and the newest database copy that passes its check. */
  databaseCheck?: { problems: string[]; newestGood: RestoreCandidate | null } | null;
  /** Stages a database copy to replace the database and restarts the service. */
  restoreDatabase?: (path: string) => BackupCheck;
};

const KINDS = ["local", "sftp", "rest", "s3", "rclone"] as const;
const kindOf = (raw: string | undefined): TargetKind => ((KINDS as readonly string[]).includes(raw ?? "") ? (raw as TargetKind) : "local");
const KIT_CSS = join(APP_ROOT, "views/backup/kit.css");
/** Every field a target form may send (the kind's own are used). */
const TargetForm = t.Object({
  _csrf: t.Optional(t.String()),
  kind: t.String({ maxLength: 10 }),
  name: t.Optional(t.String({ maxLength: 200 })),
  path: t.Optional(t.String({ maxLength: 4096 })),
  user: t.Optional(t.String({ maxLength: 200 })),
  host: t.Optional(t.String({ maxLength: 300 })),
  port: t.Optional(t.String({ maxLength: 10 })),
  pairing: t.Optional(t.String({ maxLength: 20_000 })),
  endpoint: t.Optional(t.String({ maxLength: 2000 })),
  bucket: t.Optional(t.String({ maxLength: 200 })),
  prefix: t.Optional(t.String({ maxLength: 2000 })),
  accessKey: t.Optional(t.String({ maxLength: 500 })),
  secretKey: t.Optional(t.String({ maxLength: 500 })),
  remote: t.Optional(t.String({ maxLength: 2000 })),
  rcloneConfig: t.Optional(t.String({ maxLength: 65_536 })),
  password: t.Optional(t.String({ maxLength: 1000 })),
});
const Options = t.Object({
  _csrf: t.Optional(t.String()),
  includeMedia: t.Optional(t.String({ maxLength: 10 })),
  lowPriority: t.Optional(t.String({ maxLength: 10 })),
  hour: t.Optional(t.String({ maxLength: 10 })),
  limitUploadKiB: t.Optional(t.String({ maxLength: 20 })),
  keepDaily: t.Optional(t.String({ maxLength: 20 })),
  keepWeekly: t.Optional(t.String({ maxLength: 20 })),
  keepMonthly: t.Optional(t.String({ maxLength: 20 })),
  kitSaved: t.Optional(t.String({ maxLength: 10 })),
});
const TargetId = t.Object({ id: t.String({ pattern: "^[A-Za-z0-9]{1,64}$" }) });
const SnapshotParams = t.Object({ id: t.String({ pattern: "^[A-Za-z0-9]{1,64}$" }), snapshot: t.String({ pattern: "^[0-9a-f]{64}$" }) });
const GuestId = t.Object({ id: t.String({ pattern: "^[A-Za-z0-9]{1,64}$" }) });

const inputOf = (body: typeof TargetForm.static): TargetInput => ({ ...body, kind: kindOf(body.kind) });

/**
 * Dashboard → Backups (admin): the page and its fragments, the database copies, the wizard and the kit, a target's
 * controls, restoring, hosting other boxes. One plugin per capability, sharing the page helpers of backupParts().
 */
export function backupRoutes(deps: Deps) {
  return new Elysia({ prefix: "/dashboard" })
    .use(deps.access)
    .use(pageRoutes(deps))
    .use(databaseCopyRoutes(deps))
    .use(wizardRoutes(deps))
    .use(targetRoutes(deps))
    .use(restoreRoutes(deps))
    .use(hostingRoutes(deps));
}

/** The page helpers every group shares: the Backups page and a target's page, each with a refusal's reason. */
function backupParts(deps: Deps) {
  const { backup, dashboard } = deps;
  const offered = () =>
    deps.databaseCheck?.newestGood ? { name: deps.databaseCheck.newestGood.name, takenAt: deps.databaseCheck.newestGood.takenAt } : undefined;
  const listPage = async (page: SignedInPage, extra: Partial<Parameters<typeof BackupsPage>[0]> = {}) => (
    <BackupsPage
      page={page}
      targets={backup.targets()}
      scrub={backup.scrub()}
      hosting={backup.hosting()}
      database={dashboard.backups.list()}
      offerRestore={offered()}
      now={new Date()}
      {...extra}
    />
  );
  const setupPage = (page: SignedInPage, id: string, extra: { error?: string; saved?: boolean } = {}) => (
    <TargetSetupPage
      page={page}
      target={backup.target(id)}
      testJob={backup.testJob(id)}
      hasPassword={backup.hasPassword(id)}
      sshKey={backup.sshKey()}
      {...extra}
    />
  );
  /** A refusal comes back on the target's page with its reason. */
  const onTarget = <R,>(c: { page: SignedInPage; set: { status?: number | string } }, id: string, action: () => R | Promise<R>) =>
    withFormError(c.set, action, (e) => setupPage(c.page, id, { error: e.message }));
  const onPage = <R,>(c: { page: SignedInPage; set: { status?: number | string } }, action: () => R | Promise<R>) =>
    withFormError(c.set, action, (e) => listPage(c.page, { error: e.message }));
  return { listPage, setupPage, onTarget, onPage };
}

/** The Backups page, its live fragments, the kit's stylesheet and the scrub. */
function pageRoutes(deps: Deps) {
  const { backup } = deps;
  const { listPage } = backupParts(deps);
  return (
    new Elysia()
      .use(deps.access)
      .get("/backups", ({ page }) => listPage(page), { auth: "admin" })
      .get("/fragments/backup-targets", ({ page }) => <TargetList targets={backup.targets()} page={page} now={new Date()} />, { auth: "admin" })
      .get("/fragments/scrub", ({ page }) => <ScrubCard scrub={backup.scrub()} page={page} />, { auth: "admin" })
      .get(
        "/assets/backup-kit.css",
        () => new Response(Bun.file(KIT_CSS), { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" } }),
        { public: true },
      )

      // The scrub.
      .post(
        "/backups/scrub",
        ({ page, request, redirect }) => {
          backup.scrubNow();
          if (request.headers.get("hx-request") !== "true") return redirect("/dashboard/backups", 303);
          return <ScrubCard scrub={backup.scrub()} page={page} />;
        },
        { auth: "admin", audit: { kind: "system", did: "started checking every stored file" } },
      )
  );
}

/** The nightly database copies: the setting, run now, the list, and restoring the newest good one. */
function databaseCopyRoutes(deps: Deps) {
  const { dashboard } = deps;
  const { listPage } = backupParts(deps);
  return (
    new Elysia()
      .use(deps.access)
      // The nightly database copies: the setting, run now, the list.
      // Restoring one is offered only when the database failed its check at start: the newest copy that passes its own.
      .post(
        "/backups/restore",
        ({ redirect }) => {
          const copy = deps.databaseCheck?.newestGood;
          if (!copy || !deps.restoreDatabase) throw new AppError(409, "The database passed its check at start: there is nothing to restore.");
          const check = deps.restoreDatabase(copy.path);
          if (!check.ok) throw new AppError(400, `This backup cannot be restored: ${check.reason}.`);
          return redirect("/dashboard/backups?restoring=1", 303);
        },
        { auth: "admin", audit: { kind: "system", did: "restored the newest good database backup (the database had failed its check)" } },
      )
      .get("/fragments/backups", ({ page }) => <BackupStatus backups={dashboard.backups.list()} page={page} />, { auth: "admin" })
      .post(
        "/backups/keep",
        ({ page, body, set, redirect }) =>
          withFormError(
            set,
            () => {
              deps.settings.update({ backupKeepDays: /^\d{1,4}$/.test(body.days.trim()) ? Number(body.days.trim()) : Number.NaN });
              return redirect("/dashboard/backups", 303);
            },
            (e) => listPage(page, { keepError: { message: e.message, value: body.days } }),
          ),
        {
          auth: "admin",
          audit: { kind: "system", did: "changed how long backups are kept" },
          body: t.Object({ days: t.String({ maxLength: 20 }), _csrf: t.Optional(t.String()) }),
        },
      )
      .post(
        "/backups/run",
        ({ page, request, redirect }) => {
          dashboard.backups.runNow();
          if (request.headers.get("hx-request") !== "true") return redirect("/dashboard/backups", 303);
          return <BackupStatus backups={dashboard.backups.list()} page={page} />;
        },
        { auth: "admin", audit: { kind: "system", did: "started a database backup" } },
      )
  );
}

/** The wizard: a new target, its page, the connection test, the password and the emergency kit, then the first backup. */
function wizardRoutes(deps: Deps) {
  const { backup } = deps;
  const { setupPage, onTarget } = backupParts(deps);
  return (
    new Elysia()
      .use(deps.access)
      // The wizard: a new target, then its page (connection, password, kit, options).
      .get(
        "/backups/new",
        async ({ page, query }) => <NewTargetPage page={page} kind={kindOf(query.kind)} disks={await deps.disks()} sshKey={backup.sshKey()} />,
        { auth: "admin", query: t.Object({ kind: t.Optional(t.String({ maxLength: 10 })) }) },
      )
      .post(
        "/backups/targets",
        ({ page, body, set, redirect }) =>
          withFormError(
            set,
            () => redirect(`/dashboard/backups/targets/${backup.create(inputOf(body)).id}/setup`, 303),
            async (e) => {
              const { secretKey: _s, password: _p, ...form } = body;
              return <NewTargetPage page={page} kind={kindOf(body.kind)} form={form} error={e.message} disks={await deps.disks()} sshKey={backup.sshKey()} />;
            },
          ),
        { auth: "admin", audit: { kind: "system", did: "added a backup target" }, body: TargetForm },
      )
      .get("/backups/targets/:id/setup", ({ page, params }) => setupPage(page, params.id), { auth: "admin", params: TargetId })
      .get(
        "/backups/targets/:id/connection",
        ({ page, params }) => <ConnectionStep target={backup.target(params.id)} testJob={backup.testJob(params.id)} page={page} sshKey={backup.sshKey()} />,
        { auth: "admin", params: TargetId },
      )
      .post(
        "/backups/targets/:id/test",
        (c) =>
          onTarget(c, c.params.id, () => {
            backup.test(c.params.id);
            return c.redirect(`/dashboard/backups/targets/${c.params.id}/setup`, 303);
          }),
        { auth: "admin", audit: { kind: "system", did: "tested a backup target's connection" }, params: TargetId },
      )
      .post(
        "/backups/targets/:id/password/generate",
        (c) =>
          onTarget(c, c.params.id, () => {
            backup.generatePassword(c.params.id);
            return c.redirect(`/dashboard/backups/targets/${c.params.id}/setup`, 303);
          }),
        { auth: "admin", audit: { kind: "system", did: "made a backup target's password" }, params: TargetId },
      )
      .post(
        "/backups/targets/:id/password",
        (c) =>
          onTarget(c, c.params.id, () => {
            backup.usePassword(c.params.id, c.body.password);
            return c.redirect(`/dashboard/backups/targets/${c.params.id}/setup`, 303);
          }),
        {
          auth: "admin",
          audit: { kind: "system", did: "gave a backup target's password" },
          params: TargetId,
          body: t.Object({ password: t.String({ maxLength: 1000 }), _csrf: t.Optional(t.String()) }),
        },
      )
      // The kit holds the password: never cached, never framed, never indexed.
      .get(
        "/backups/targets/:id/kit",
        ({ params, set }) => {
          set.headers["cache-control"] = "no-store";
          return <KitPage kit={backup.kit(params.id)} />;
        },
        { auth: "admin", params: TargetId },
      )
      .get(
        "/backups/targets/:id/kit.txt",
        ({ params }) =>
          new Response(kitText(backup.kit(params.id)), {
            headers: {
              "content-type": "text/plain; charset=utf-8",
              "content-disposition": `attachment; filename="emergency-kit-${params.id}.txt"`,
              "cache-control": "no-store",
            },
          }),
        { auth: "admin", params: TargetId },
      )
      .post(
        "/backups/targets/:id/confirm",
        (c) =>
          onTarget(c, c.params.id, () => {
            backup.confirm(c.params.id, parseOptions(c.body), c.body.kitSaved === "on");
            return c.redirect("/dashboard/backups", 303);
          }),
        { auth: "admin", audit: { kind: "system", did: "started backing up to a target" }, params: TargetId, body: Options },
      )
  );
}

/** A target once set up: its settings, back up or check now, pause and resume, forget. */
function targetRoutes(deps: Deps) {
  const { backup } = deps;
  const { setupPage, onTarget, onPage } = backupParts(deps);
  return new Elysia()
    .use(deps.access)
    .post(
      "/backups/targets/:id/options",
      (c) =>
        onTarget(c, c.params.id, () => {
          backup.setOptions(c.params.id, parseOptions(c.body));
          return setupPage(c.page, c.params.id, { saved: true });
        }),
      { auth: "admin", audit: { kind: "system", did: "changed a backup target's settings" }, params: TargetId, body: Options },
    )
    .post(
      "/backups/targets/:id/run",
      (c) =>
        onPage(c, () => {
          backup.runNow(c.params.id);
          return c.redirect("/dashboard/backups", 303);
        }),
      { auth: "admin", audit: { kind: "system", did: "started a backup" }, params: TargetId },
    )
    .post(
      "/backups/targets/:id/check",
      (c) =>
        onPage(c, () => {
          backup.checkNow(c.params.id);
          return c.redirect("/dashboard/backups", 303);
        }),
      { auth: "admin", audit: { kind: "system", did: "started a backup check" }, params: TargetId },
    )
    .post(
      "/backups/targets/:id/pause",
      ({ params, redirect }) => {
        backup.pause(params.id);
        return redirect(`/dashboard/backups/targets/${params.id}/setup`, 303);
      },
      { auth: "admin", audit: { kind: "system", did: "paused a backup target" }, params: TargetId },
    )
    .post(
      "/backups/targets/:id/resume",
      (c) =>
        onTarget(c, c.params.id, () => {
          backup.resume(c.params.id);
          return c.redirect(`/dashboard/backups/targets/${c.params.id}/setup`, 303);
        }),
      { auth: "admin", audit: { kind: "system", did: "resumed a backup target" }, params: TargetId },
    )
    .post(
      "/backups/targets/:id/remove",
      (c) =>
        onTarget(c, c.params.id, () => {
          backup.remove(c.params.id, c.body.confirm);
          return c.redirect("/dashboard/backups", 303);
        }),
      {
        auth: "admin",
        audit: { kind: "system", did: "forgot a backup target" },
        params: TargetId,
        body: t.Object({ confirm: t.String({ maxLength: 200 }), _csrf: t.Optional(t.String()) }),
      },
    );
}

/** Restoring: snapshots by date, one snapshot's files and albums, restore into Drive. */
function restoreRoutes(deps: Deps) {
  const { backup } = deps;
  return new Elysia()
    .use(deps.access)
    .get(
      "/backups/targets/:id/snapshots",
      ({ page, params }) => (
        <SnapshotsPage page={page} target={backup.target(params.id)} snapshots={backup.snapshots(params.id)} restores={backup.restores()} />
      ),
      { auth: "admin", params: TargetId },
    )
    .get(
      "/fragments/restores",
      ({ page }) => {
        const snapshots = backup.targets().flatMap((x) => backup.snapshots(x.id));
        return <RestoreList restores={backup.restores()} snapshots={snapshots} page={page} />;
      },
      { auth: "admin" },
    )
    .get(
      "/backups/targets/:id/snapshots/:snapshot",
      ({ page, params, query }) => {
        const target = backup.target(params.id);
        const snapshots = backup.snapshots(params.id);
        const snapshot = snapshots.find((s) => s.id === params.snapshot);
        if (!snapshot) throw new AppError(404, "This snapshot is not in the backup any more.");
        const open = backup.openSnapshot(params.id, params.snapshot);
        const view: BrowseView = open.ready
          ? backup.browse(params.id, params.snapshot, (r) => {
              const people = r.people();
              const person = people.find((p) => p.id === query.user) ?? (people.length === 1 ? people[0]! : null);
              const tab = query.tab === "albums" ? ("albums" as const) : ("files" as const);
              const listing = person && tab === "files" ? r.folder(person.id, query.folder) : null;
              return {
                state: "open",
                people,
                person,
                tab,
                folder: listing ? { id: listing.folder.id, name: listing.folder.name, trail: listing.trail, items: listing.items } : null,
                albums: person && tab === "albums" ? r.albums(person.id) : [],
              };
            })
          : { state: "fetching", job: open.job };
        return <SnapshotPage page={page} target={target} snapshot={snapshot} view={view} restores={backup.restores()} snapshots={snapshots} />;
      },
      {
        auth: "admin",
        params: SnapshotParams,
        query: t.Object({
          user: t.Optional(t.String({ maxLength: 64 })),
          folder: t.Optional(t.String({ maxLength: 64 })),
          tab: t.Optional(t.String({ maxLength: 10 })),
        }),
      },
    )
    .post(
      "/backups/targets/:id/snapshots/:snapshot/open",
      ({ params, redirect }) => {
        backup.reopenSnapshot(params.id, params.snapshot);
        return redirect(`/dashboard/backups/targets/${params.id}/snapshots/${params.snapshot}`, 303);
      },
      { auth: "admin", audit: { kind: "system", did: "opened a backup snapshot" }, params: SnapshotParams },
    )
    .post(
      "/backups/targets/:id/snapshots/:snapshot/restore",
      ({ user, params, body, redirect }) => {
        backup.restore(user, params.id, params.snapshot, { kind: body.kind, id: body.id });
        return redirect(`/dashboard/backups/targets/${params.id}/snapshots/${params.snapshot}`, 303);
      },
      {
        auth: "admin",
        audit: { kind: "files", did: "restored files from a backup" },
        params: SnapshotParams,
        body: t.Object({
          kind: t.Union([t.Literal("file"), t.Literal("folder"), t.Literal("album")]),
          id: t.String({ minLength: 1, maxLength: 64 }),
          _csrf: t.Optional(t.String()),
        }),
      },
    );
}

/** Keeping other boxes' backups: the address guests use, guests with their pairing codes, quotas and pruning. */
function hostingRoutes(deps: Deps) {
  const { backup } = deps;
  const { listPage, onPage } = backupParts(deps);
  return new Elysia()
    .use(deps.access)
    .post(
      "/backups/hosting",
      (c) =>
        onPage(c, async () => {
          await backup.setHostAddress(c.body.address);
          return c.redirect("/dashboard/backups", 303);
        }),
      {
        auth: "admin",
        audit: { kind: "system", did: "changed the address other boxes back up to" },
        body: t.Object({ address: t.String({ maxLength: 300 }), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/backups/guests",
      (c) =>
        onPage(c, async () => {
          const code = await backup.addGuest(c.body.name, c.body.quota);
          c.set.headers["cache-control"] = "no-store";
          return listPage(c.page, { pairing: { name: c.body.name.trim(), code } });
        }),
      {
        auth: "admin",
        audit: { kind: "system", did: "agreed to keep another box's backups" },
        body: t.Object({ name: t.String({ maxLength: 200 }), quota: t.String({ maxLength: 20 }), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/backups/guests/:id/pair",
      (c) =>
        onPage(c, async () => {
          const code = await backup.repair(c.params.id);
          c.set.headers["cache-control"] = "no-store";
          return listPage(c.page, { pairing: { name: backup.hosting().guests.find((g) => g.id === c.params.id)?.name ?? "", code } });
        }),
      { auth: "admin", audit: { kind: "system", did: "made a new pairing code" }, params: GuestId },
    )
    .post(
      "/backups/guests/:id/quota",
      (c) =>
        onPage(c, () => {
          backup.setGuestQuota(c.params.id, c.body.quota);
          return c.redirect("/dashboard/backups", 303);
        }),
      {
        auth: "admin",
        audit: { kind: "system", did: "changed another box's backup quota" },
        params: GuestId,
        body: t.Object({ quota: t.String({ maxLength: 20 }), _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/backups/guests/:id/prune",
      (c) =>
        onPage(c, () => {
          backup.allowPrune(c.params.id);
          return c.redirect("/dashboard/backups", 303);
        }),
      { auth: "admin", audit: { kind: "system", did: "allowed another box to prune its backups" }, params: GuestId },
    )
    .post(
      "/backups/guests/:id/remove",
      (c) =>
        onPage(c, () => {
          backup.removeGuest(c.params.id, c.body.confirm);
          return c.redirect("/dashboard/backups", 303);
        }),
      {
        auth: "admin",
        audit: { kind: "system", did: "deleted another box's backups" },
        params: GuestId,
        body: t.Object({ confirm: t.String({ maxLength: 200 }), _csrf: t.Optional(t.String()) }),
      },
    );
}

/**
 * The setup wizard's "Restore from a backup" (public, and only while the box has no administrator): where the
 * backup is and its password, the restore's progress, then the restored database is checked and staged by the
 * wizard's own restore (app/setup/restore.ts) and the box restarts onto it.
 */
export function restoreBoxRoutes(deps: {
  access: AccessControl;
  backup: BackupService;
  setupDone: () => boolean;
  disks: () => Promise<DiskOffer[]>;
  /** Checks and stages the restored database, then restarts (app/setup). Returns the administrators, or the reason it was refused. */
  stage: (dbFile: string) => { ok: true; admins: string[] } | { ok: false; reason: string };
}) {
  const { backup } = deps;
  const fresh = () => {
    if (deps.setupDone()) throw new AppError(403, "This box is already set up; restore a whole box only on a fresh box.");
  };
  const form = async (page: PageChrome, kind: TargetKind, extra: { form?: Record<string, string | undefined>; error?: string } = {}) => (
    <RestoreBoxPage page={page} kind={kind} disks={await deps.disks()} sshKey={backup.sshKey()} {...extra} />
  );
  return new Elysia()
    .use(deps.access)
    .get(
      "/setup/restore/backup",
      ({ page, query }) => {
        fresh();
        return form(page, kindOf(query.kind));
      },
      { public: true, query: t.Object({ kind: t.Optional(t.String({ maxLength: 10 })) }) },
    )
    .post(
      "/setup/restore/backup",
      ({ page, body, set, redirect }) => {
        fresh();
        return withFormError(
          set,
          () => {
            const target = backup.startBoxRestore(inputOf(body), body.password ?? "");
            return redirect(`/setup/restore/backup/${target.id}`, 303);
          },
          (e) => {
            const { secretKey: _s, password: _p, ...typed } = body;
            return form(page, kindOf(body.kind), { form: typed, error: e.message });
          },
        );
      },
      { public: true, audit: { kind: "system", did: "started restoring the box from a backup" }, body: TargetForm },
    )
    .get(
      "/setup/restore/backup/:id",
      ({ page, params }) => {
        fresh();
        return <RestoreBoxStatusPage page={page} sshKey={backup.sshKey()} {...backup.boxRestore(params.id)} />;
      },
      { public: true, params: TargetId },
    )
    .get(
      "/setup/restore/backup/:id/progress",
      ({ page, params }) => {
        fresh();
        return <RestoreBoxProgress page={page} sshKey={backup.sshKey()} {...backup.boxRestore(params.id)} />;
      },
      { public: true, params: TargetId },
    )
    .post(
      "/setup/restore/backup/:id/retry",
      ({ params, redirect }) => {
        fresh();
        backup.retryBoxRestore(params.id);
        return redirect(`/setup/restore/backup/${params.id}`, 303);
      },
      { public: true, audit: { kind: "system", did: "retried restoring the box from a backup" }, params: TargetId },
    )
    .post(
      "/setup/restore/backup/:id/finish",
      ({ page, params, set }) => {
        fresh();
        const staged = deps.stage(backup.finishBoxRestore(params.id));
        if (!staged.ok) {
          set.status = 422;
          throw new AppError(422, `The restored database cannot be used: ${staged.reason}.`);
        }
        return <RestoringPage page={page} admins={staged.admins} />;
      },
      { public: true, audit: { kind: "system", did: "switched the box to a restored backup" }, params: TargetId },
    );
}
