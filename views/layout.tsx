import Html from "@kitajs/html";
import type { User } from "../app/platform/db/schema";

/** An open alert as the admin's banner shows it. */
export type BannerAlert = { severity: "critical" | "warning" | "info"; message: string };

/**
 * What every page's frame needs, derived once per request by the page plugin (app/platform/http/page.ts): who is
 * signed in, the CSRF token forms carry, the box's name, the time zone times are shown in, and the admin's banner
 * (read only when a page shows it).
 */
export type PageChrome<U extends User | null = User | null> = {
  user: U;
  csrfToken: string;
  /** The access policy's answer for this person: the administrator's links and banner are shown. */
  admin: boolean;
  deviceName: string;
  timeZone: string;
  readonly banner: BannerAlert[];
};
/** The chrome of a page only a signed-in person reaches. */
export type SignedInPage = PageChrome<User>;

export type PageProps = {
  title: string;
  page: PageChrome;
  /** Pages every visitor sees alike (sign-in, the wizard, a share link's pages): no navigation, even when signed in. */
  anonymous?: boolean;
  /** Which nav item is highlighted. */
  active?: "drive" | "photos" | "sharing" | "dashboard" | "settings";
  /**
   * Extra scripts under /static, run before Alpine starts: ours (`js/…`) as ES modules, which import their shared parts
   * (js/lib/), the vendored ones (`vendor/…`) as classic deferred scripts. Both run in document order once parsed.
   */
  scripts?: string[];
  children?: JSX.Element | JSX.Element[] | string;
};

const nav = [
  { id: "drive", href: "/drive", label: "Drive", icon: "M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" },
  { id: "photos", href: "/photos", label: "Photos", icon: "M4 5h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zm2 11h12l-4-5-3 4-2-2z" },
  {
    id: "sharing",
    href: "/shared",
    label: "Sharing",
    icon: "M18 3a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM6 9a3 3 0 1 1 0 6 3 3 0 0 1 0-6zm12 6a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM8.6 13.5l6.8 3M15.4 7.5l-6.8 3",
  },
  { id: "dashboard", href: "/dashboard", label: "Dashboard", icon: "M4 13h6V4H4zm10 7h6V11h-6zM4 20h6v-4H4zm10-11h6V4h-6z" },
  {
    id: "settings",
    href: "/settings",
    label: "Settings",
    icon: "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm7.4-3a7.4 7.4 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7 7 0 0 0-2-1.2L14.5 3h-4l-.4 2.6a7 7 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7 7 0 0 0 2 1.2l.4 2.6h4l.4-2.6a7 7 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2z",
  },
] as const;

export function Icon({ d, label }: { d: string; label?: string }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" aria-hidden={label ? undefined : "true"} role={label ? "img" : undefined} aria-label={label}>
      <path d={d} />
    </svg>
  );
}

// The parts of every page that never change are rendered once at start: escaping attributes is most of a page's cost.
const staticHead: JSX.Element = (
  <>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
    <meta name="color-scheme" content="light dark" />
    <meta name="theme-color" content="#1f6feb" />
    <meta
      name="htmx-config"
      content='{"allowEval":false,"allowScriptTags":false,"includeIndicatorStyles":false,"selfRequestsOnly":true,"historyCacheSize":0}'
    />
    <link rel="manifest" href="/manifest.webmanifest" />
    <link rel="icon" href="/static/icons/icon.svg" type="image/svg+xml" />
    <link rel="apple-touch-icon" href="/static/vendor/icon-192.png" />
    <link rel="stylesheet" href="/static/app.css" />
    <script src="/static/vendor/htmx.min.js" defer></script>
  </>
);

const navLists = new Map<PageProps["active"], JSX.Element>(
  [undefined, ...nav.map((n) => n.id)].map((active) => [
    active,
    <ul>
      {nav.map((n) => (
        <li>
          <a href={n.href} class={active === n.id ? "active" : undefined} aria-current={active === n.id ? "page" : undefined}>
            <Icon d={n.icon} />
            <span>{n.label}</span>
          </a>
        </li>
      ))}
    </ul>,
  ]),
);

const navList = (active: PageProps["active"]): JSX.Element => navLists.get(active) ?? navLists.get(undefined)!;

const escapeText = (text: string) => Html.escapeHtml(text);
const pageTail = '<div id="toasts" aria-live="polite"></div></body></html>';
const bannerPoller = '<div id="alert-banner" hx-get="/dashboard/fragments/banner" hx-trigger="load" hx-swap="outerHTML"></div>';
// app.js first, Alpine last (after every component is registered): modules and deferred scripts run in document order.
const appScript = '<script type="module" src="/static/js/app.js"></script>';
const alpineScript = '<script src="/static/vendor/alpine-csp.min.js" defer></script>';

/**
 * The page shell: navigation, CSRF token for htmx, vendored scripts (no inline script: the CSP forbids it).
 * Every page pays for it, so it is assembled from pre-rendered strings; the few values in it are escaped here.
 */
export function Layout(props: PageProps): JSX.Element {
  const { csrfToken, deviceName } = props.page;
  const user = props.anonymous ? null : props.page.user;
  const token = escapeText(csrfToken);
  const hxHeaders = escapeText(JSON.stringify({ "X-CSRF-Token": csrfToken }));
  const scripts = (props.scripts ?? [])
    .map((s) =>
      s.startsWith("js/") ? `<script type="module" src="/static/${escapeText(s)}"></script>` : `<script src="/static/${escapeText(s)}" defer></script>`,
    )
    .join("");
  const nav = user
    ? `<nav class="appnav" aria-label="Main"><a class="brand" href="/"><img src="/static/icons/icon.svg" alt="" width="28" height="28"/><span>${escapeText(deviceName)}</span></a>` +
      `${navList(props.active)}<form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${token}"/>` +
      `<button type="submit" class="link" title="Sign out"><span>${escapeText(user.displayName)}</span> · Sign out</button></form></nav>`
    : "";
  const banner = props.page.admin && props.active !== "dashboard" ? bannerPoller : "";
  const page = (children: string) =>
    `<!doctype html><html lang="en"><head>${staticHead}<meta name="csrf-token" content="${token}"/>` +
    `<title>${escapeText(`${props.title} · ${deviceName}`)}</title>${appScript}${scripts}${alpineScript}</head>` +
    `<body hx-headers="${hxHeaders}" class="${user ? "signed-in" : "signed-out"}">${nav}` +
    `<main id="main" class="${user ? "with-nav" : "bare"}">${banner}${children}</main>${pageTail}`;
  // Children are rendered HTML already (one element, several, or a promise from an async component).
  const children = props.children === undefined ? "" : Html.contentsToString([props.children]);
  return typeof children === "string" ? page(children) : children.then(page);
}
