/**
 * A feature's service object from its plain functions: each takes the feature's context first (`list(ctx, user, …)`);
 * bound, it takes the rest (`drive.list(user, …)`). The functions stay plain modules that tests call with a context of
 * their own (a temp database and data dir); routes get the bound object, built once by the composition root.
 */
// biome-ignore lint/suspicious/noExplicitAny: the arguments are each function's own, kept by the mapped type.
type WithContext<C> = (ctx: C, ...args: any[]) => unknown;
export type Bound<C, M extends Record<string, WithContext<C>>> = {
  [K in keyof M]: M[K] extends (ctx: C, ...args: infer A) => infer R ? (...args: A) => R : never;
};

export function bindContext<C, M extends Record<string, WithContext<C>>>(ctx: C, functions: M): Bound<C, M> {
  return Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, (...args: unknown[]) => fn(ctx, ...args)])) as Bound<C, M>;
}
