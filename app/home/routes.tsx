import { Elysia } from "elysia";
import { isAdmin } from "../access/viewer";
import type { AuthService } from "../auth/service";
import type { AccessControl } from "../platform/http/access";
import { signedIn } from "../platform/http/page";
import { HomePage } from "../../views/home/HomePage";
import type { HomeSummaries } from "./summary";

/** The start page: the wizard until there is an administrator, sign-in for a visitor, else what an owner checks first. */
export function homeRoutes(deps: { access: AccessControl; auth: AuthService; home: HomeSummaries }) {
  return new Elysia().use(deps.access).get(
    "/",
    ({ page, redirect }) => {
      if (!deps.auth.users.setupDone()) return redirect("/setup", 303);
      if (!signedIn(page)) return redirect("/login", 303);
      return <HomePage page={page} {...deps.home.of(page.user)} health={isAdmin(page.user) ? deps.home.health() : null} />;
    },
    { public: true },
  );
}
