/**
 * What time it is, as every service, job handler and the queue read it: injected, so a test can fix or move it (an
 * expiry, a retention, a nightly schedule) without waiting.
 */
export type Clock = () => Date;

/** The real clock. The entry points hand it to the composition roots (`createApp`, `createServices`, the worker's lanes). */
export const systemClock: Clock = () => new Date();
