import { Elysia, t } from "elysia";
import type { AccessControl } from "../platform/http/access";
import { MemoriesPage, StoryPage } from "../../views/photos/Memories";
import { MemoryCards } from "../../views/photos/MemoryCards";
import type { MediaService } from "../media/service";
import type { PhotosService } from "./service";

type Deps = { access: AccessControl; photos: PhotosService; media: MediaService };

// A memory's key: "trip-2023-06-12", "day-2019-10-22-lisbon", "month-2026-11-01" (app/photos/memories.ts).
const KeyParams = t.Object({ key: t.String({ maxLength: 100 }) });

/** Memories: the list (/photos/memories), a memory's story, hiding one and showing it again. */
export function memoryRoutes(deps: Deps) {
  const { photos } = deps;
  return new Elysia({ prefix: "/photos/memories" })
    .use(deps.access)
    .get(
      "/",
      ({ user, page, query }) => {
        const list = photos.memoryList(user);
        const justHidden = query.hidden
          ? [...list.today, ...(list.month ? [list.month] : []), ...list.trips].find((m) => m.key === query.hidden && m.hidden)
          : undefined;
        return <MemoriesPage page={page} progress={deps.media.progressFor(user)} {...list} justHidden={justHidden} />;
      },
      { auth: "user", query: t.Object({ hidden: t.Optional(t.String({ maxLength: 100 })) }) },
    )
    .get("/:key", ({ user, page, params }) => <StoryPage page={page} memory={photos.memory(user, params.key)} />, { auth: "user", params: KeyParams })
    .post(
      "/:key/hide",
      ({ user, params, redirect }) => {
        const m = photos.setMemoryHidden(user, params.key, true);
        return redirect(`/photos/memories?hidden=${encodeURIComponent(m.key)}`, 303);
      },
      {
        auth: "user",
        params: KeyParams,
        audit: { kind: "files", did: "hid a memory", about: "hid the memory {}" },
        body: t.Object({ _csrf: t.Optional(t.String()) }),
      },
    )
    .post(
      "/:key/show",
      ({ user, params, redirect }) => {
        photos.setMemoryHidden(user, params.key, false);
        return redirect("/photos/memories", 303);
      },
      {
        auth: "user",
        params: KeyParams,
        audit: { kind: "files", did: "showed a hidden memory again", about: "showed the memory {} again" },
        body: t.Object({ _csrf: t.Optional(t.String()) }),
      },
    );
}

/** The timeline's memories row, asked for by the page once its first thumbnails are shown (grid.js): nothing when none. */
export function memoryRowRoute(deps: Deps) {
  const { photos } = deps;
  return new Elysia({ prefix: "/photos" }).use(deps.access).get(
    "/memories-row",
    ({ user }) => {
      const memories = photos.featuredMemories(user);
      return memories.length ? <MemoryCards memories={memories} /> : "";
    },
    { auth: "user" },
  );
}
