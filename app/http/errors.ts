/** Thrown by services and guards; the app's error handler turns it into a page, a fragment or JSON. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
export const notFound = (what = "This item") => new HttpError(404, `${what} does not exist or you cannot see it.`);
