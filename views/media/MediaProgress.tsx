import type { MediaProgress as Progress } from "../../app/media/service";

/**
 * Swap target #media-progress: "Processing N of M photos and videos". Polls itself every 2 s while work is
 * pending; once nothing is, it renders without the trigger and stops polling (a new upload loads it again).
 */
export function MediaProgress({ progress }: { progress: Progress }) {
  const { pending, total, failed } = progress;
  const busy = pending > 0;
  return (
    <p
      id="media-progress"
      class="muted small media-progress"
      data-testid="media-progress"
      role="status"
      hx-get="/media/progress"
      hx-trigger={busy ? "load delay:2s" : "drive-changed from:body"}
      hx-swap="outerHTML"
    >
      {busy ? (
        <span safe>{`Processing ${total - pending} of ${total} photos and videos`}</span>
      ) : total > 0 ? (
        <span safe>{`${total} photos and videos processed`}</span>
      ) : (
        ""
      )}
      {failed > 0 ? (
        <>
          {" · "}
          <a href="/media/failed" id="media-failed-link" safe>{`${failed} could not be processed`}</a>
        </>
      ) : (
        ""
      )}
    </p>
  );
}
