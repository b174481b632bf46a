import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Real smartctl outputs shared between projects (../shared/fixtures/smartctl); read in place, never copied. */
export const SMART_FIXTURES = process.env.SMART_FIXTURES ?? join(import.meta.dir, "../../shared/fixtures/smartctl");

export const smartFixture = (name: string) => readFileSync(join(SMART_FIXTURES, name), "utf8");
