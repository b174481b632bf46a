/** Dashboard → Users: how much each person stores against their quota, and the admin setting a quota. */
import type { User } from "../platform/db/schema";

export interface UserUsage {
  user: Pick<User, "id" | "username" | "displayName" | "role" | "quotaBytes">;
  usedBytes: number;
  percentOfQuota: number | null;
}

export function createQuotas(ctx: {
  listUsers: () => User[];
  usedBytes: (userId: string) => number;
  /** Stores a person's quota from the admin's GB text (empty: unlimited); throws for bad input or an unknown user. */
  setQuota: (userId: string, gigabytes: string) => unknown;
}) {
  const percentOf = (used: number, quota: number | null) => (quota ? Math.round((1000 * used) / quota) / 10 : null);
  return {
    users(): UserUsage[] {
      return ctx.listUsers().map((u) => {
        const usedBytes = ctx.usedBytes(u.id);
        const { id, username, displayName, role, quotaBytes } = u;
        return { user: { id, username, displayName, role, quotaBytes }, usedBytes, percentOfQuota: percentOf(usedBytes, quotaBytes) };
      });
    },
    /** One person's own usage (the dashboard of someone who is not the admin). */
    of(user: User) {
      const usedBytes = ctx.usedBytes(user.id);
      return { usedBytes, quotaBytes: user.quotaBytes, percentOfQuota: percentOf(usedBytes, user.quotaBytes) };
    },
    set: (userId: string, gigabytes: string) => ctx.setQuota(userId, gigabytes),
  };
}
