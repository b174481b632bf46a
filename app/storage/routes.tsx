import { Elysia, t } from "elysia";
import type { AccessControl } from "../platform/http/access";
import type { StorageService } from "./service";
import { DiskCopyCard, MoveStatus, StoragePage } from "../../views/dashboard/StoragePage";
import type { SignedInPage } from "../../views/layout";
import { withFormError } from "../platform/http/forms";

type Deps = { access: AccessControl; storage: StorageService };

/** /dashboard/storage (mounted inside the dashboard routes): space breakdown, choosing the data disk (typed confirmation), the second-disk copy. */
export function storageRoutes(deps: Deps) {
  const { storage } = deps;
  const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";
  const storagePage = async (page: SignedInPage, error?: string) => (
    <StoragePage
      page={page}
      location={storage.location()}
      disks={await storage.disks()}
      space={storage.space()}
      copy={storage.diskCopy()}
      targets={await storage.copyTargets()}
      error={error}
    />
  );
  /** A refusal (wrong confirmation, system disk, bad target) comes back on the page, with the reason. */
  const orRefusal = (page: SignedInPage, set: { status?: number | string }, action: () => Promise<unknown> | unknown) =>
    withFormError(
      set,
      async () => (await action(), null),
      (e) => storagePage(page, e.message),
    );
  const form = { _csrf: t.Optional(t.String()) };

  return new Elysia({ prefix: "/dashboard/storage" })
    .use(deps.access)
    .get("/", async ({ page }) => storagePage(page), { auth: "admin" })
    .get(
      "/fragments/move",
      ({ user }) => {
        user;
        return <MoveStatus location={storage.location()} />;
      },
      { auth: "admin" },
    )
    .get(
      "/fragments/copy",
      async ({ user, page }) => {
        user;
        return <DiskCopyCard copy={storage.diskCopy()} targets={await storage.copyTargets()} page={page} />;
      },
      { auth: "admin" },
    )
    .post(
      "/use",
      async ({ page, body, set, redirect }) => {
        return (await orRefusal(page, set, () => storage.requestMove(body.device, body.confirm))) ?? redirect("/dashboard/storage", 303);
      },
      {
        auth: "admin",
        audit: { kind: "system", did: "chose the data disk" },
        body: t.Object({ device: t.String({ minLength: 1, maxLength: 200 }), confirm: t.String({ maxLength: 200 }), ...form }),
      },
    )
    .post(
      "/copy/target",
      async ({ page, body, set, redirect }) => {
        return (await orRefusal(page, set, () => storage.setCopyTarget(body.target, body.nightly === "on"))) ?? redirect("/dashboard/storage", 303);
      },
      {
        auth: "admin",
        audit: { kind: "system", did: "chose the second disk" },
        body: t.Object({ target: t.String({ minLength: 1, maxLength: 4096 }), nightly: t.Optional(t.String()), ...form }),
      },
    )
    .post(
      "/copy/run",
      async ({ page, request, set, redirect }) => {
        const refused = await orRefusal(page, set, () => storage.runCopyNow());
        if (refused) return refused;
        if (!isHtmx(request)) return redirect("/dashboard/storage", 303);
        return <DiskCopyCard copy={storage.diskCopy()} targets={await storage.copyTargets()} page={page} />;
      },
      { auth: "admin", audit: { kind: "system", did: "started a copy to the second disk" }, body: t.Object(form) },
    );
}
