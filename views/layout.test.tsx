import { expect, test } from "bun:test";
import type { User } from "../app/platform/db/schema";
import { Layout, type PageChrome } from "./layout";

const user = { id: "u1", username: "eve", displayName: '<img src=x onerror="alert(1)">', role: "admin" } as User;
const chrome = (p: Partial<PageChrome>): PageChrome => ({
  user: null,
  csrfToken: "t",
  admin: p.user?.role === "admin",
  deviceName: "nas",
  timeZone: "UTC",
  banner: [],
  ...p,
});

test("the page shell escapes every value it carries (name, device name, title, CSRF token, script names)", () => {
  const html = Layout({
    title: "</title><script>",
    page: chrome({ user, csrfToken: 'a"b', deviceName: "<b>nas</b>" }),
    scripts: ['x"><script>'],
    children: "<p>ok</p>",
  }) as string;
  expect(html).not.toContain("<img src=x");
  expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  expect(html).not.toContain("<b>nas");
  expect(html).not.toContain("</title><script>");
  expect(html).not.toContain('x"><script>');
  expect(html).toContain('content="a&quot;b"');
  expect(html).toContain('hx-headers="{&quot;X-CSRF-Token&quot;:&quot;a\\&quot;b&quot;}"');
  expect(html).toContain('<main id="main" class="with-nav"><div id="alert-banner"');
  expect(html).toContain("<p>ok</p></main>"); // children are rendered HTML, passed through
});

test("several children and an async child are rendered in order; signed out there is no navigation", async () => {
  const many = Layout({ title: "T", page: chrome({}), children: ["<p>1</p>", "<p>2</p>"] }) as string;
  expect(many).toContain('<main id="main" class="bare"><p>1</p><p>2</p></main>');
  expect(many).not.toContain("appnav");
  const later = await Layout({ title: "T", page: chrome({ user }), active: "dashboard", children: Promise.resolve("<p>later</p>") });
  expect(later).toContain('<main id="main" class="with-nav"><p>later</p></main>');
});
