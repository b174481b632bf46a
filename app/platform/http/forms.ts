import { AppError } from "../errors";

/**
 * Runs a form's action. A refusal the person can fix (an AppError below 500: a bad value, a wrong confirmation)
 * renders the form again through `rerender`, which shows the message and keeps what was typed, with the error's
 * status. Anything else goes on to the app's error handler.
 */
export async function withFormError<T, R>(
  set: { status?: number | string },
  action: () => T | Promise<T>,
  rerender: (error: AppError) => R | Promise<R>,
): Promise<T | R> {
  try {
    return await action();
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    set.status = e.status;
    return rerender(e);
  }
}
