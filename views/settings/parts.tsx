import { formatWhen } from "../format";

/** Times in the page's time zone. */
export const whenIn = (tz: string) => (d: Date | null | undefined) => formatWhen(d, tz);

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A secret shown exactly once (new app token, invite link). */
export function OneTimeSecret({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div class="notice ok stack" x-data="copyButton">
      <strong safe>{label}</strong>
      <input type="text" readonly value={value} id={id} class="mono" />
      <div class="row">
        <button type="button" x-on:click="copy" data-copy={`#${id}`}>
          Copy
        </button>
        <span class="muted small" x-show="copied" x-cloak>
          Copied.
        </span>
        <span class="muted small">It is shown only this once.</span>
      </div>
    </div>
  );
}
