import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Real smartctl outputs kept in the repository (test/fixtures/smartctl, licence note beside them). */
export const SMART_FIXTURES = join(import.meta.dir, "../test/fixtures/smartctl");

export const smartFixture = (name: string) => readFileSync(join(SMART_FIXTURES, name), "utf8");
