import { sqliteTable, text, integer, blob, index } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  role: text("role", { enum: ["admin", "user"] })
    .notNull()
    .default("user"),
  /** Bytes; null = unlimited. */
  quotaBytes: integer("quota_bytes"),
  /** WebAuthn user handle (random, not the id, so it leaks nothing). */
  webauthnUserId: text("webauthn_user_id").notNull().unique(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  disabledAt: integer("disabled_at", { mode: "timestamp_ms" }),
});

export const passkeys = sqliteTable(
  "passkeys",
  {
    id: text("id").primaryKey(), // base64url credential id
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    publicKey: blob("public_key", { mode: "buffer" }).notNull(),
    counter: integer("counter").notNull().default(0),
    transports: text("transports", { mode: "json" }).$type<string[]>(),
    deviceType: text("device_type").notNull(),
    backedUp: integer("backed_up", { mode: "boolean" }).notNull().default(false),
    name: text("name").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("passkeys_user").on(t.userId)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    idHash: text("id_hash").primaryKey(), // sha256 of the cookie value
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

export const appTokens = sqliteTable(
  "app_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    /**
     * What the secret opens. "api": an app token (`Authorization: Bearer`) for scripts and the JSON API; "files" and
     * "files-read": a device's app password (HTTP Basic) for WebDAV and the Nextcloud client protocol only (app/dav).
     */
    scope: text("scope", { enum: ["api", "files", "files-read"] })
      .notNull()
      .default("api"),
    /** The address of the last request that used it (with `lastUsedAt`), shown on the Devices page. */
    lastUsedIp: text("last_used_ip"),
  },
  (t) => [index("app_tokens_user").on(t.userId)],
);

export const recoveryCodes = sqliteTable("recovery_codes", {
  codeHash: text("code_hash").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  usedAt: integer("used_at", { mode: "timestamp_ms" }),
});

export const invites = sqliteTable("invites", {
  tokenHash: text("token_hash").primaryKey(),
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  usedAt: integer("used_at", { mode: "timestamp_ms" }),
  usedBy: text("used_by").references(() => users.id, { onDelete: "set null" }),
  /** Set when an admin reset a user: the link lets that user enrol a new passkey. */
  forUserId: text("for_user_id").references(() => users.id, { onDelete: "cascade" }),
});

/** WebAuthn challenges: server-side, single use, short-lived. */
export const challenges = sqliteTable("challenges", {
  id: text("id").primaryKey(),
  challenge: text("challenge").notNull(),
  purpose: text("purpose", { enum: ["register", "login"] }).notNull(),
  /** For registration: the pending user (JSON) the passkey will belong to. */
  pending: text("pending", { mode: "json" }).$type<Record<string, unknown>>(),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
});

export type User = typeof users.$inferSelect;
export type Passkey = typeof passkeys.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type AppToken = typeof appTokens.$inferSelect;
export type Invite = typeof invites.$inferSelect;
