import { Layout, type PageChrome } from "./layout";

export function ErrorPage(p: { status: number; message: string; requestId?: string | null; page: PageChrome }) {
  const title =
    p.status === 404
      ? "Not found"
      : p.status === 403
        ? "Not allowed"
        : p.status === 429
          ? "Slow down"
          : p.status >= 500
            ? "Something went wrong"
            : "Cannot do that";
  return (
    <Layout title={title} page={p.page}>
      <section class="card stack" id="error">
        <h1>{title}</h1>
        <p safe>{p.message}</p>
        {p.requestId ? (
          <p class="muted">
            Reference for the logs: <code safe>{p.requestId}</code>
          </p>
        ) : (
          ""
        )}
        <p class="row">
          <a class="button primary" href="/">
            Back to the start page
          </a>
          {p.page.user ? (
            <a class="button" href="/drive">
              Open Drive
            </a>
          ) : (
            <a class="button" href="/login">
              Sign in
            </a>
          )}
        </p>
      </section>
    </Layout>
  );
}

/** What htmx swaps into #toasts when a request fails. */
export function ErrorToast({ message }: { message: string }) {
  return (
    <div class="toast" role="alert" safe>
      {message}
    </div>
  );
}
