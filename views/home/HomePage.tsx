import type { User } from "../../app/db/schema";
import { Layout } from "../layout";

export function HomePage(p: { user: User; csrfToken: string; deviceName: string }) {
  return (
    <Layout title="Home" user={p.user} csrfToken={p.csrfToken} deviceName={p.deviceName}>
      <h1>Hello, <span safe>{p.user.displayName}</span></h1>
      <div class="cards">
        <a class="card" href="/drive"><h2>Drive</h2><p class="muted">Your files and folders.</p></a>
        <a class="card" href="/dashboard"><h2>Dashboard</h2><p class="muted">Health of the box and its disks.</p></a>
        <a class="card" href="/settings"><h2>Settings</h2><p class="muted">Passkeys, app tokens, people.</p></a>
      </div>
    </Layout>
  );
}
