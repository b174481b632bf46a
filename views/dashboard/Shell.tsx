import { Layout, type BannerAlert, type SignedInPage } from "../layout";

/** What every dashboard page takes: the page chrome (its banner included). */
export type Base = { page: SignedInPage };

const tabs = [
  { id: "overview", href: "/dashboard", label: "Overview" },
  { id: "alerts", href: "/dashboard/alerts", label: "Alerts" },
  { id: "storage", href: "/dashboard/storage", label: "Storage" },
  { id: "backups", href: "/dashboard/backups", label: "Backups" },
  { id: "users", href: "/dashboard/users", label: "Users" },
  { id: "power", href: "/dashboard/power", label: "Power" },
  { id: "system", href: "/dashboard/system", label: "System" },
] as const;

export type Tab = (typeof tabs)[number]["id"];

/** Every dashboard page: the app layout, the dashboard stylesheet, the admin's alert banner and the tabs. */
export function DashboardShell(p: Base & { title: string; tab?: Tab; scripts?: string[]; children?: JSX.Element | JSX.Element[] | string }) {
  const isAdmin = p.page.admin;
  return (
    <Layout title={p.title} page={p.page} active="dashboard" scripts={p.scripts}>
      <link rel="stylesheet" href="/dashboard/assets/dashboard.css" />
      {isAdmin ? <AlertBanner alerts={p.page.banner} /> : ""}
      {isAdmin ? (
        <nav class="dash-tabs tabbar" aria-label="Dashboard">
          {tabs.map((t) => (
            <a href={t.href} class={p.tab === t.id ? "active" : undefined} aria-current={p.tab === t.id ? "page" : undefined}>
              {t.label}
            </a>
          ))}
        </nav>
      ) : (
        ""
      )}
      {p.children as "safe"}
    </Layout>
  );
}

/** The admin banner: unacknowledged warnings and critical alerts. Refreshes itself every 30 s. */
export function AlertBanner(p: { alerts: BannerAlert[] }) {
  const critical = p.alerts.some((a) => a.severity === "critical");
  return (
    <div id="alert-banner" hx-get="/dashboard/fragments/banner" hx-trigger="every 30s" hx-swap="outerHTML">
      {p.alerts.length === 0 ? (
        ""
      ) : (
        <div class={`notice ${critical ? "bad" : "warn"} banner`} role="alert">
          <strong safe>{p.alerts.length === 1 ? "1 alert needs attention" : `${p.alerts.length} alerts need attention`}</strong>
          <ul>
            {p.alerts.slice(0, 3).map((a) => (
              <li safe>{a.message}</li>
            ))}
          </ul>
          <a href="/dashboard/alerts">Review and acknowledge</a>
        </div>
      )}
    </div>
  );
}
