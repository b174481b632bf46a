// Every table, one file per aggregate. drizzle-kit reads this file to generate migrations.
export * from "./accounts";
export * from "./system";
export * from "./drive";
export * from "./dashboard";
export * from "./storage";
export * from "./media";
export * from "./photos";
export * from "./share";
export * from "./dav";
export * from "./backup";
export * from "./people";
export * from "./memories";
export * from "./photo-edits";
