import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./app/platform/db/schema/index.ts",
  out: "./app/platform/db/migrations",
});
