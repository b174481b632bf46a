import type { MediaProgress as Progress } from "../../app/media/service";
import { Layout, type SignedInPage } from "../layout";
import { Card, type MemoryView, Styles, storyHref, takenOn } from "./MemoryCards";
import { PhotosShell } from "./PhotosPage";

function CardList(p: { title: string; memories: MemoryView[]; empty?: string }) {
  if (!p.memories.length && !p.empty) return "";
  return (
    <section class="memory-section">
      <h2 safe>{p.title}</h2>
      {p.memories.length ? (
        <ul class="memory-cards memory-cards-wrap">
          {p.memories.map((m) => (
            <Card m={m} />
          ))}
        </ul>
      ) : (
        <p class="muted" safe>
          {p.empty}
        </p>
      )}
    </section>
  );
}

/** Every memory: today's, last month's highlights, every trip; the hidden ones at the end, to show again. */
export function MemoriesPage(p: {
  page: SignedInPage;
  progress: Progress;
  today: MemoryView[];
  month: MemoryView | null;
  trips: MemoryView[];
  /** The memory just hidden: said once, with a way back. */
  justHidden?: MemoryView;
}) {
  const all = [...p.today, ...(p.month ? [p.month] : []), ...p.trips];
  const hidden = all.filter((m) => m.hidden);
  const shown = (ms: MemoryView[]) => ms.filter((m) => !m.hidden);
  return (
    <PhotosShell page={p.page} progress={p.progress} title="Memories" tab="memories">
      <>
        <Styles />
        <h1 class="photos-heading">Memories</h1>
        {p.justHidden ? (
          <form class="notice ok memory-hidden-note" method="post" action={`${storyHref(p.justHidden.key)}/show`} role="status">
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <span safe>{`“${[p.justHidden.title, p.justHidden.subtitle].join(", ")}” is hidden.`}</span> <button type="submit">Undo</button>
          </form>
        ) : (
          ""
        )}
        <CardList title="Today" memories={shown(p.today)} />
        <CardList title="Last month" memories={shown(p.month ? [p.month] : [])} />
        <CardList
          title="Trips"
          memories={shown(p.trips)}
          empty="No trips yet: days away from home (more than 100 km from where most of your photos are taken) show here."
        />
        {hidden.length ? (
          <section class="memory-section" id="memories-hidden">
            <h2>Hidden</h2>
            <ul class="memory-hidden-list">
              {hidden.map((m) => (
                <li>
                  <span safe>{[m.title, m.subtitle].join(", ")}</span>{" "}
                  <form method="post" action={`${storyHref(m.key)}/show`}>
                    <input type="hidden" name="_csrf" value={p.page.csrfToken} />
                    <button type="submit" aria-label={`Show again: ${m.title}, ${m.subtitle}`}>
                      Show again
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          </section>
        ) : (
          ""
        )}
      </>
    </PhotosShell>
  );
}

/**
 * A memory as a full-screen story: one photo at a time, oldest first; tap the right side or swipe left for the next,
 * the left side or swipe right for the previous, arrows and Escape on a keyboard (js/photos/story.js). It advances by
 * itself every few seconds unless paused or the person prefers reduced motion. Without script the first photo shows.
 */
export function StoryPage(p: { page: SignedInPage; memory: MemoryView }) {
  const m = p.memory;
  const n = m.items.length;
  const label = [m.title, m.subtitle].filter(Boolean).join(", ");
  return (
    <Layout title={label} page={p.page} active="photos" scripts={["js/photos/story.js"]}>
      <Styles />
      <div class="story" id="memory-story" x-data="memoryStory" data-count={String(n)} data-back="/photos" aria-label={label} role="region">
        <div class="story-bars" aria-hidden="true">
          {m.items.map(() => (
            <span></span>
          ))}
        </div>
        <div class="story-head">
          <div class="story-title">
            <h1 safe>{m.title}</h1>
            <p safe>{m.subtitle}</p>
          </div>
          <p class="story-pos" id="story-pos" role="status" x-text="position" safe>
            {`1 of ${n}`}
          </p>
          <button type="button" class="story-button" id="story-pause" x-on:click="toggle" x-text="playLabel" x-cloak>
            Pause
          </button>
          <form method="post" action={`${storyHref(m.key)}/${m.hidden ? "show" : "hide"}`}>
            <input type="hidden" name="_csrf" value={p.page.csrfToken} />
            <button type="submit" class="story-button" id="story-hide">
              {m.hidden ? "Show this memory again" : "Hide this memory"}
            </button>
          </form>
          <a class="story-button story-close" href="/photos" id="story-close" aria-label="Close">
            ✕
          </a>
        </div>
        <div class="story-slides" x-on:pointerdown="press" x-on:pointerup="release" x-on:click="tap">
          {m.items.map((item, i) => (
            <figure class="story-slide" data-id={item.id}>
              <img
                src={`/media/preview/${item.id}`}
                alt={`${item.kind === "video" ? "Video" : "Photo"} taken ${takenOn(item)}`}
                loading={i < 2 ? undefined : "lazy"}
                draggable="false"
              />
            </figure>
          ))}
        </div>
        <button
          type="button"
          class="story-step story-prev"
          id="story-prev"
          x-on:click="prev"
          aria-label="Previous photo"
          disabled
          x-bind:disabled="index === 0"
        >
          ‹
        </button>
        <button type="button" class="story-step story-next" id="story-next" x-on:click="next" aria-label="Next photo" x-bind:disabled={`index === ${n - 1}`}>
          ›
        </button>
      </div>
    </Layout>
  );
}
