import { Elysia, t } from "elysia";
import type { User } from "../platform/db/schema";
import type { AccessControl } from "../platform/http/access";
import type { AlertRow } from "../dashboard/repo";
import type { StorageService } from "./service";
import { DiskCopyCard, MoveStatus, StoragePage } from "../../views/dashboard/StoragePage";
import { withFormError } from "../platform/http/forms";

type Deps = { access: AccessControl; storage: StorageService; deviceName: () => string; banner: () => AlertRow[] };

/** /dashboard/storage (mounted inside the dashboard routes): space breakdown, choosing the data disk (typed confirmation), the second-disk copy. */
export function storageRoutes(deps: Deps) {
  const { storage } = deps;
  const isHtmx = (request: Request) => request.headers.get("hx-request") === "true";
  const page = async (user: User, csrfToken: string, error?: string) => (
    <StoragePage
      user={user}
      csrfToken={csrfToken}
      deviceName={deps.deviceName()}
      banner={deps.banner()}
      location={storage.location()}
      disks={await storage.disks()}
      space={storage.space()}
      copy={storage.diskCopy()}
      targets={await storage.copyTargets()}
      error={error}
    />
  );
  /** A refusal (wrong confirmation, system disk, bad target) comes back on the page, with the reason. */
  const orRefusal = (user: User, csrfToken: string, set: { status?: number | string }, action: () => Promise<unknown> | unknown) =>
    withFormError(
      set,
      async () => (await action(), null),
      (e) => page(user, csrfToken, e.message),
    );
  const form = { _csrf: t.Optional(t.String()) };

  return new Elysia({ prefix: "/storage" })
    .use(deps.access)
    .get("/", async ({ user, csrfToken }) => page(user, csrfToken), { auth: "admin" })
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
      async ({ user, csrfToken }) => {
        user;
        return <DiskCopyCard copy={storage.diskCopy()} targets={await storage.copyTargets()} csrfToken={csrfToken} />;
      },
      { auth: "admin" },
    )
    .post(
      "/use",
      async ({ user, csrfToken, body, set, redirect }) => {
        return (await orRefusal(user, csrfToken, set, () => storage.requestMove(body.device, body.confirm))) ?? redirect("/dashboard/storage", 303);
      },
      { auth: "admin", body: t.Object({ device: t.String({ minLength: 1, maxLength: 200 }), confirm: t.String({ maxLength: 200 }), ...form }) },
    )
    .post(
      "/copy/target",
      async ({ user, csrfToken, body, set, redirect }) => {
        return (await orRefusal(user, csrfToken, set, () => storage.setCopyTarget(body.target, body.nightly === "on"))) ?? redirect("/dashboard/storage", 303);
      },
      { auth: "admin", body: t.Object({ target: t.String({ minLength: 1, maxLength: 4096 }), nightly: t.Optional(t.String()), ...form }) },
    )
    .post(
      "/copy/run",
      async ({ user, csrfToken, request, set, redirect }) => {
        const refused = await orRefusal(user, csrfToken, set, () => storage.runCopyNow());
        if (refused) return refused;
        if (!isHtmx(request)) return redirect("/dashboard/storage", 303);
        return <DiskCopyCard copy={storage.diskCopy()} targets={await storage.copyTargets()} csrfToken={csrfToken} />;
      },
      { auth: "admin", body: t.Object(form) },
    );
}
