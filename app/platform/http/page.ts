import { Elysia } from "elysia";
import type { BannerAlert, PageChrome, SignedInPage } from "../../../views/layout";
import type { User } from "../db/schema";
import type { RequestContext } from "./context";

export type PageDeps = {
  context: RequestContext;
  /** The box's name and the time zone pages show times in (Settings → Administration; the settings service caches them). */
  settings: () => { deviceName: string; timeZone: string };
  /** The access policy's administrator check (app/access), passed in by the composition root. */
  isAdmin: (user: User) => boolean;
  /** The administrator's unacknowledged alerts. */
  banner: () => BannerAlert[];
};

/**
 * The page chrome, derived once per request: every handler gets `page` ({ user, csrfToken, deviceName, timeZone,
 * banner }) and hands it to its view, whose layout reads it. The rest is read when the view first asks, once: a JSON
 * route never reads the settings, a page that saves the device name or time zone shows the new ones, and the banner
 * (a query) is read only by the pages that show it (the dashboard's; the others load it themselves, the layout's poller).
 */
export function pageChrome(deps: PageDeps) {
  const chrome = <U extends User | null>(user: U, csrfToken: string): PageChrome<U> => {
    let settings: { deviceName: string; timeZone: string } | undefined;
    let banner: BannerAlert[] | undefined;
    const admin = user !== null && deps.isAdmin(user);
    return {
      user,
      csrfToken,
      admin,
      get deviceName() {
        return (settings ??= deps.settings()).deviceName;
      },
      get timeZone() {
        return (settings ??= deps.settings()).timeZone;
      },
      get banner() {
        return (banner ??= admin ? deps.banner() : []);
      },
    };
  };
  const plugin = new Elysia({ name: "page" }).use(deps.context).derive({ as: "global" }, ({ user, csrfToken }) => ({ page: chrome(user, csrfToken) }));
  return Object.assign(plugin, { chrome });
}
export type PagePlugin = ReturnType<typeof pageChrome>;

/** For a public route that serves the signed-in differently (the start page): narrows the chrome to a signed-in one. */
export const signedIn = (page: PageChrome): page is SignedInPage => page.user !== null;
