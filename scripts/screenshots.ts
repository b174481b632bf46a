// `make screenshots`: the wizard, the start page, Drive (grid and viewer), Photos (timeline, lightbox with info, the
// editor, the map, memories and a memory's story, duplicates, partner sharing), the dashboard and settings at desktop (1280×800) and
// phone (360×740) size, from a real server on a temp data dir, written to docs/screenshots/ for the README.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { launchBrowser, signedInPage, startServer } from "../test/support/browser";

const root = join(import.meta.dir, "..");
const out = join(root, "docs/screenshots");
const photos = join(root, "test/fixtures/photos");
const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } } as const;
const MAX_BYTES = 300_000;

/** A PNG of the viewport, palette-quantised (and scaled down if still too big) to stay under 300 KB. */
async function shoot(page: Page, name: string) {
  const raw = await page.screenshot();
  let png = await sharp(raw).png({ palette: true, quality: 80, compressionLevel: 9 }).toBuffer();
  for (let scale = 0.9; png.byteLength > MAX_BYTES && scale > 0.4; scale -= 0.1) {
    const width = Math.round((await sharp(raw).metadata()).width! * scale);
    png = await sharp(raw).resize({ width }).png({ palette: true, quality: 70, compressionLevel: 9 }).toBuffer();
  }
  await Bun.write(join(out, `${name}.png`), png);
  console.log(`${name}.png ${Math.round(png.byteLength / 1000)} kB`);
}

mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();
let worker: ReturnType<typeof Bun.spawn> | undefined;
try {
  for (const [size, viewport] of Object.entries(sizes)) {
    const context = await browser.newContext({ viewport, colorScheme: "light" });
    const page = await context.newPage();
    await page.goto(`${server.origin}/setup`);
    await page.fill("#device-name", "homebox");
    await shoot(page, `wizard-${size}`);
    await context.close();
  }

  const { api, context } = await signedInPage(browser, server, { username: "ada" });
  await context.close();
  const folder = async (name: string, parentId?: string) =>
    (
      await api<{ item: { id: string } }>("/folders", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, parentId }),
      })
    ).item.id;
  const upload = (name: string, bytes: Uint8Array | Buffer, parentId?: string) =>
    api<{ item: { id: string } }>(`/upload?${new URLSearchParams({ name, ...(parentId ? { parentId } : {}) })}`, {
      method: "PUT",
      body: new Blob([new Uint8Array(bytes)]),
    });
  const trip = await folder("Summer trip 2026");
  await folder("Documents");
  await upload("lake at dawn, seen from the boathouse.jpg", readFileSync(join(photos, "phone/jolla.jpg")), trip);
  await upload("no_exif.jpg", readFileSync(join(photos, "phone/no_exif.jpg")), trip);
  await upload("IMG_0042.HEIC", readFileSync(join(photos, "phone/iphone_13_pro_max.HEIC")), trip);
  // Two drawn pictures (not flat colours: a flat picture's perceptual hash is the same as any other flat one's).
  const scene = (sky: string, ground: string, shape: string) =>
    sharp(
      Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky}"/><stop offset="1" stop-color="#fde2b0"/></linearGradient></defs><rect width="640" height="480" fill="url(#s)"/>${shape}<rect y="330" width="640" height="150" fill="${ground}"/></svg>`,
      ),
    )
      .png()
      .toBuffer();
  await upload("sunset.png", await scene("#e8743b", "#3b2a4a", '<circle cx="420" cy="330" r="90" fill="#ffd27a"/>'), trip);
  await upload(
    "forest.png",
    await scene("#7fb3d5", "#24563a", '<path d="M60 340 L130 150 L200 340 Z M220 340 L310 110 L400 340 Z M420 340 L500 180 L580 340 Z" fill="#2e7d4f"/>'),
    trip,
  );
  await upload("packing list.txt", new TextEncoder().encode("tent\nstove\nmap\n"), trip);
  // Camera photos for the start page's strip, processed by a media worker of its own.
  const camera = await folder("Camera");
  for (const f of ["gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "gps/DSCN0027.jpg", "gps/DSCN0038.jpg", "cameras/Canon_40D.jpg", "cameras/Nikon_D70.jpg"])
    await upload(f.split("/")[1]!, readFileSync(join(photos, f)), camera);
  // Memories: a home (Lisbon, last month: its highlights) and three days in Iceland, from the fixtures' pictures with
  // their time and place rewritten.
  const dms = (v: number) => `${Math.floor(v)}/1 ${Math.round((v % 1) * 60 * 100)}/100 0/1`;
  const exif = (when: Date, lat: number, lng: number) => ({
    IFD2: { DateTimeOriginal: when.toISOString().slice(0, 19).replace("T", " ").replace(/-/g, ":"), OffsetTimeOriginal: "+00:00" },
    IFD3: { GPSLatitudeRef: "N", GPSLatitude: dms(lat), GPSLongitudeRef: "W", GPSLongitude: dms(Math.abs(lng)) },
  });
  const pictures = ["gps/DSCN0010.jpg", "gps/DSCN0021.jpg", "gps/DSCN0027.jpg", "gps/DSCN0038.jpg", "cameras/Canon_40D.jpg", "phone/jolla.jpg"];
  const now = new Date();
  for (const [i, f] of pictures.entries()) {
    const home = new Date(Date.UTC(now.getFullYear(), now.getMonth() - 1, 3 + i * 4, 11));
    await upload(
      `home_${i}.jpg`,
      await sharp(readFileSync(join(photos, f)))
        .withExif(exif(home, 38.72, -9.14))
        .jpeg()
        .toBuffer(),
      camera,
    );
    const away = new Date(Date.UTC(2025, 5, 12 + Math.floor(i / 2), 9 + i));
    await upload(
      `iceland_${i}.jpg`,
      await sharp(readFileSync(join(photos, f)))
        .withExif(exif(away, 64.15, -21.94))
        .jpeg()
        .toBuffer(),
      camera,
    );
  }
  // Partner sharing: bob shares his library with ada (two photos of his own), and ada hers with bob.
  const bob = await signedInPage(browser, server, { username: "bob" });
  for (const f of ["cameras/Nikon_D70.jpg", "orientation/landscape_1.jpg"])
    await bob.api(`/upload?name=${f.split("/")[1]}`, { method: "PUT", body: new Blob([readFileSync(join(photos, f))]) });
  for (const [page, partner] of [
    [bob.page, "ada"],
    [(await signedInPage(browser, server, { username: "ada" })).page, "bob"],
  ] as const) {
    await page.goto("/photos/partners");
    await page.getByLabel("Their user name").fill(partner);
    await page.getByRole("button", { name: "Share", exact: true }).click();
    await page.getByRole("button", { name: `Stop sharing with ${partner}` }).waitFor();
    await page.context().close();
  }
  worker = Bun.spawn(["bun", "app/worker.ts"], {
    cwd: root,
    env: { ...process.env, DATA_DIR: server.dataDir, NAS_WORKER_KINDS: "media.process" },
    stdout: "ignore",
    stderr: "inherit",
  });

  for (const [size, viewport] of Object.entries(sizes)) {
    const { page, context } = await signedInPage(browser, server, { username: "ada", viewport });
    await page.goto(`/drive/f/${trip}`);
    await page.evaluate(() => localStorage.setItem("drive.view", "grid"));
    await page.reload();
    await page.waitForLoadState("networkidle");
    await page.locator(".drive-item.has-thumb").first().waitFor();
    await shoot(page, `drive-grid-${size}`);
    await page.locator('.drive-item[data-name="lake at dawn, seen from the boathouse.jpg"] a.drive-name').click();
    await page.locator("#preview .viewer img").waitFor();
    await page.waitForFunction(() => (document.querySelector("#preview .viewer img") as HTMLImageElement | null)?.complete);
    await shoot(page, `drive-viewer-${size}`);
    await page.keyboard.press("Escape");
    for (let i = 0; i < 60; i++) {
      await page.goto("/");
      if ((await page.locator(".home-photo-row a").count()) >= 6) break;
      await Bun.sleep(1000);
    }
    await page.waitForLoadState("networkidle");
    await shoot(page, `home-${size}`);
    // Photos: the timeline, then the lightbox with its info panel (beside the photo, or a sheet on the phone).
    await page.goto("/photos");
    await page.locator("#photos-grid .photos-tile").nth(5).waitFor();
    await page.waitForLoadState("networkidle");
    await shoot(page, `photos-timeline-${size}`);
    // A photo with a place (Lisbon, found by search): its info panel has the small map.
    await page.goto("/photos/search?q=lisbon");
    await page.locator("#photos-grid .photos-tile img").first().click();
    await page.locator(".pswp.photos-opened").waitFor();
    await page.keyboard.press("i");
    await page.locator(".photos-info-map .basemap-city").first().waitFor();
    await page.locator(".photos-info h2").waitFor();
    await page.waitForLoadState("networkidle");
    await shoot(page, `photos-lightbox-info-${size}`);
    // The editor over the same photo, a square crop chosen.
    await page.keyboard.press("i");
    await page.keyboard.press("e");
    await page.locator("dialog.photos-editor[open] .photos-editor-crop").waitFor();
    await page.getByRole("button", { name: "1:1" }).click();
    await page.waitForFunction(() => [...document.querySelectorAll("dialog.photos-editor img")].every((i) => (i as HTMLImageElement).complete));
    await shoot(page, `photos-editor-${size}`);
    await page.keyboard.press("Escape");
    await page.locator("dialog.photos-editor").waitFor({ state: "detached" });
    await page.keyboard.press("Escape");
    // The map over the box's own basemap, a cluster's photos listed under it.
    await page.goto("/photos/map");
    await page.locator("#photos-map .basemap-city").first().waitFor();
    await page.locator(".photos-pin.cluster").first().waitFor();
    await page.waitForLoadState("networkidle");
    await shoot(page, `photos-map-${size}`);
    // Duplicates: the re-saved copies side by side.
    await page.goto("/photos/duplicates");
    await page.locator(".dups-group").first().waitFor();
    await page.waitForLoadState("networkidle");
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".dups-group img")].every(
        (i) => i.getBoundingClientRect().top > innerHeight || ((i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
      ),
    );
    await shoot(page, `photos-duplicates-${size}`);
    // Partner sharing: ada's library given to bob, bob's received.
    await page.goto("/photos/partners");
    await page.waitForLoadState("networkidle");
    await shoot(page, `photos-partners-${size}`);
    // Memories: the list, then a trip's story (full screen on the phone).
    for (let i = 0; i < 60; i++) {
      await page.goto("/photos/memories");
      if ((await page.locator('a.memory-card[data-key^="trip-2025"]').count()) > 0) break;
      await Bun.sleep(1000);
    }
    await page.waitForLoadState("networkidle");
    await shoot(page, `photos-memories-${size}`);
    await page.locator('a.memory-card[data-key^="trip-2025"]').click();
    await page.locator("#memory-story").waitFor();
    await page.locator("#story-pause").click();
    await page.waitForFunction(() => (document.querySelector(".story-slide.current img") as HTMLImageElement | null)?.complete);
    await shoot(page, `photos-memory-story-${size}`);
    await page.goto("/dashboard");
    await page.waitForLoadState("networkidle");
    await shoot(page, `dashboard-${size}`);
    await page.goto("/settings");
    await shoot(page, `settings-${size}`);
    await context.close();
  }
} finally {
  worker?.kill();
  await browser.close();
  await server.stop();
}
