import { join } from "node:path";

/**
 * The project root, for files read at run time (migrations, static assets, the preview script). This file sits in
 * app/ and the production bundle in dist/ (`make build`): both one level below the root, so the same line works.
 */
export const APP_ROOT = join(import.meta.dir, "..");
