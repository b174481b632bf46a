// Views are pure functions of their props: they may use app/'s types, never its values (a service, a constant).
import { expect, test } from "bun:test";
import { Glob } from "bun";
import { dirname, join, relative, resolve } from "node:path";

test("no view imports a value from app/ (type-only imports are erased and allowed)", async () => {
  const root = join(import.meta.dir, "..");
  const transpiler = new Bun.Transpiler({ loader: "tsx" });
  const offending: string[] = [];
  let files = 0;
  for await (const file of new Glob("views/**/*.{ts,tsx}").scan(root)) {
    if (/\.test\.tsx?$|\.d\.ts$|^views\/static\//.test(file)) continue;
    files++;
    // scanImports leaves out `import type` and type-only specifiers: what remains is loaded at run time.
    for (const { path } of transpiler.scanImports(await Bun.file(join(root, file)).text())) {
      const target = relative(root, resolve(dirname(join(root, file)), path));
      if (path.startsWith(".") && target.startsWith("app/")) offending.push(`${file} → ${target}`);
    }
  }
  expect(files).toBeGreaterThan(30);
  expect(offending).toEqual([]);
});
