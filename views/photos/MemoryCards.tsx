import type { GridItem } from "../../app/photos/repo";

/** A memory as the pages show it (app/photos/memories.ts Memory). */
export type MemoryView = { key: string; kind: "day" | "week" | "trip" | "month"; title: string; subtitle: string; items: GridItem[]; hidden: boolean };

export const storyHref = (key: string) => `/photos/memories/${encodeURIComponent(key)}`;
/** The camera's local day, as people say it ("12 Jun 2023"): local times are stored as UTC clock fields. */
export const takenOn = (i: GridItem) => new Date(i.local).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
export const Styles = () => <link rel="stylesheet" href="/static/memories.css" />;

export function Card(p: { m: MemoryView }) {
  const cover = p.m.items[0];
  return (
    <li>
      <a class="memory-card" href={storyHref(p.m.key)} data-key={p.m.key}>
        {cover ? <img src={`/drive/thumb/${cover.id}`} alt="" loading="lazy" /> : ""}
        <span class="memory-card-text">
          <strong safe>{p.m.title}</strong>
          <span safe>{p.m.subtitle}</span>
        </span>
      </a>
    </li>
  );
}

/** The timeline's row of memories: each card opens its story; "All memories" lists trips and hidden ones. */
export function MemoryCards(p: { memories: MemoryView[] }) {
  return (
    <section class="memory-row" id="photos-memories" aria-labelledby="photos-memories-title">
      <Styles />
      <div class="memory-row-head">
        <h2 id="photos-memories-title">Memories</h2>
        <a href="/photos/memories">All memories</a>
      </div>
      {p.memories.length ? (
        <ul class="memory-cards">
          {p.memories.map((m) => (
            <Card m={m} />
          ))}
        </ul>
      ) : (
        ""
      )}
    </section>
  );
}
