// The architecture check (`make lint`): dependency-cruiser's rules from .dependency-cruiser.cjs, and one it cannot
// state — no cycle between folders (features, the platform, views, hw, provision) through value imports. Exit 1 on
// any finding, each printed with the import that breaks the rule.
import { cruise, type ICruiseResult, type IModule } from "dependency-cruiser";
import { createRequire } from "node:module";
import ts from "typescript";

const config = createRequire(import.meta.url)("../.dependency-cruiser.cjs");
const result = (await cruise(["app", "views", "hw", "provision"], { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true }))
  .output as ICruiseResult;

let failures = 0;
for (const v of result.summary.violations) {
  failures += 1;
  const via = v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name).join(" → ")})` : "";
  console.error(`${v.rule.name}: ${v.from} → ${v.to}${via}`);
}

/** The room a module lives in: app/<feature>, app/platform, views, hw or provision; the composition roots (app/*.ts) none. */
const folderOf = (path: string) => path.match(/^(app\/[^/]+(?=\/)|views|hw|provision)/)?.[1] ?? null;
const isValueImport = (types: string[]) => !types.includes("type-only") && !types.includes("type-import");

const edges = new Map<string, Map<string, string>>(); // folder → folder → one import that makes the edge
for (const m of result.modules as IModule[]) {
  const from = folderOf(m.source);
  if (!from || /\.test\.tsx?$/.test(m.source)) continue;
  for (const d of m.dependencies) {
    const to = folderOf(d.resolved);
    if (!to || to === from || !isValueImport(d.dependencyTypes)) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${m.source} → ${d.resolved}`);
  }
}

// Tarjan's strongly connected components: every component with more than one folder is a cycle between rooms.
const index = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const components: string[][] = [];
let next = 0;
function visit(v: string) {
  index.set(v, next);
  low.set(v, next++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
  }
  if (low.get(v) === index.get(v)) {
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    components.push(component);
  }
}
for (const v of edges.keys()) if (!index.has(v)) visit(v);

for (const component of components.filter((c) => c.length > 1)) {
  failures += 1;
  const inside = new Set(component);
  const links = component.flatMap((a) => [...(edges.get(a) ?? [])].filter(([b]) => inside.has(b)).map(([, example]) => `    ${example}`));
  console.error(`folder-cycle: ${component.sort().join(", ")} reach each other:\n${links.join("\n")}`);
}

// The access policy is the only place a role is compared (app/access/README.md): anyone else asks `isAdmin`/`requireAdmin`.
for (const path of new Bun.Glob("{app,views}/**/*.{ts,tsx}").scanSync()) {
  if (path.startsWith("app/access/") || /\.(e2e\.)?test\.tsx?$/.test(path)) continue;
  const lines = (await Bun.file(path).text()).split("\n");
  lines.forEach((line, i) => {
    if (/\brole\s*[!=]==|[!=]==\s*["']admin["']\s*[);&|?]/.test(line) && !/level\s*===/.test(line)) {
      failures += 1;
      console.error(`role-outside-policy: ${path}:${i + 1}: ${line.trim()} (ask app/access: isAdmin or requireAdmin)`);
    }
  });
}

// Originals are reached through the object store (app/platform/objects.ts), never by a path a feature builds: so they
// can move to an S3-compatible store without touching features. Tools that need a file ask the store's `localPath`.
for (const path of new Bun.Glob("{app,views,hw,provision}/**/*.{ts,tsx}").scanSync()) {
  if (path === "app/platform/objects.ts" || /\.(e2e\.)?test\.tsx?$/.test(path)) continue;
  const lines = (await Bun.file(path).text()).split("\n");
  lines.forEach((line, i) => {
    if (/\b[pP]aths\.blob\b|\)\.blob\(|\.blobPath\(/.test(line)) {
      failures += 1;
      console.error(`blob-path-outside-store: ${path}:${i + 1}: ${line.trim()} (read through app/platform/objects.ts: get, head, list or localPath)`);
    }
  });
}

/** No function outside tests over 150 lines: a route group, a service's capability, a page's section each get their own. */
const MAX_FUNCTION_LINES = 150;
for (const path of new Bun.Glob("{app,views,hw,provision}/**/*.{ts,tsx}").scanSync()) {
  if (/\.(e2e\.)?test\.tsx?$/.test(path)) continue;
  const source = ts.createSourceFile(
    path,
    await Bun.file(path).text(),
    ts.ScriptTarget.Latest,
    true,
    path.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const visit = (node: ts.Node) => {
    if (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) {
      const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const named = (node as { name?: ts.Node }).name?.getText() ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : "(anonymous)");
      if (lines > MAX_FUNCTION_LINES) {
        failures += 1;
        console.error(`long-function: ${path} ${named} is ${lines} lines (at most ${MAX_FUNCTION_LINES}): split it by capability`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

const folders = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
if (failures) {
  console.error(`architecture check: ${failures} finding(s) in ${result.summary.totalCruised} modules (rules: .dependency-cruiser.cjs)`);
  process.exit(1);
}
console.log(`architecture check: ${result.summary.totalCruised} modules, ${folders.size} folders, no cycle, every rule holds`);
