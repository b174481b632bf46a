import { Elysia } from "elysia";
import { isAdmin } from "../access/viewer";
import type { AuthService } from "../auth/service";
import type { AccessControl } from "../platform/http/access";
import { signedIn } from "../platform/http/page";
import { HomeContent, HomePage } from "../../views/home/HomePage";
import { formatAgo } from "../../views/format";
import type { HomeSummaries, HomeSummary } from "./summary";

/** The start page: the wizard until there is an administrator, sign-in for a visitor, else what an owner checks first. */
export function homeRoutes(deps: { access: AccessControl; auth: AuthService; home: HomeSummaries }) {
  /**
   * The content is rendered again only when what it shows changes: a new summary (after a write), the health, the
   * person's name or zone, or a "2 min ago" label. Joining the page's thousand small strings on every view was half
   * of a start page request (measured with --cpu-prof); the layout around it is rendered per request.
   */
  const rendered = new WeakMap<HomeSummary, { key: string; html: string }>();
  return new Elysia().use(deps.access).get(
    "/",
    ({ page, redirect }) => {
      if (!deps.auth.users.setupDone()) return redirect("/setup", 303);
      if (!signedIn(page)) return redirect("/login", 303);
      const summary = deps.home.of(page.user);
      const health = isAdmin(page.user) ? deps.home.health() : null;
      const viewer = { displayName: page.user.displayName, timeZone: page.timeZone };
      const now = Date.now();
      const key = [viewer.displayName, viewer.timeZone, health?.level, health?.reason, ...summary.recent.map((f) => formatAgo(f.updatedAt, now))].join("\0");
      let kept = rendered.get(summary);
      if (kept?.key !== key) {
        const html = String(<HomeContent viewer={viewer} {...summary} health={health} />);
        html.charCodeAt(0); // joined once here, not on every view
        kept = { key, html };
        rendered.set(summary, kept);
      }
      return <HomePage page={page} content={kept.html} />;
    },
    { public: true },
  );
}
