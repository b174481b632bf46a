import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The project root, for files read at run time (migrations, static assets, the preview script): the nearest folder
 * above this module with a package.json. The sources sit two levels below the root (app/platform/) and the
 * production bundle one (dist/, `make build`), so the root is found rather than counted.
 */
export const APP_ROOT = findRoot(import.meta.dir);

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
