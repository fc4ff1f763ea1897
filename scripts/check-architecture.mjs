// Enforces the layering of STYLE.md on imports: libs never import apps, apps
// never import each other (by package name, relative path or any path through
// apps/), libs/matching imports no I/O, only libs/config reads process.env,
// the lib dependency graph has no cycle, and neither has the graph of files
// (type-only imports included: two files that import each other are read together).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The repository root; a test passes another tree as the first argument.
const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const problems = [];
const libGraph = new Map();
/** file -> the files it imports (relative imports, and `@execn/<lib>` as that lib's src/index.ts). */
const fileGraph = new Map();
const apps = new Set(readdirSync(path.join(root, 'apps')));

function walk(dir, out = []) {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (e === 'node_modules' || e === 'dist') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const importRe =
  /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

/** The file a relative import names (`./x` as x.ts, x/index.ts or x itself), or undefined. */
function resolveRelative(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => existsSync(c) && statSync(c).isFile());
}

/** The app a specifier reaches, by package name (`@execn/app-ws`) or by any path through `apps/<name>/`. */
function appOf(spec, from) {
  const byName = /^@execn\/app-([^/]+)/.exec(spec)?.[1];
  if (byName) return byName;
  const target = spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(from), spec)) : spec;
  const byPath = /(?:^|\/)apps\/([^/]+)/.exec(target)?.[1];
  return byPath !== undefined && apps.has(byPath) ? byPath : undefined;
}
for (const kind of ['libs', 'apps']) {
  for (const pkg of readdirSync(path.join(root, kind))) {
    const src = path.join(root, kind, pkg, 'src');
    let files = [];
    try { files = walk(src); } catch { continue; }
    const deps = new Set();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const rel = path.relative(root, file);
      const isTest = /\.test\.ts$/.test(file);
      const imported = [];
      fileGraph.set(file, imported);
      for (const m of text.matchAll(importRe)) {
        const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
        const app = appOf(spec, file);
        if (app !== undefined && kind === 'apps' && app !== pkg) problems.push(`${rel}: an app imports another app ("${spec}")`);
        if (app !== undefined && kind === 'libs') problems.push(`${rel}: a lib imports an app ("${spec}")`);
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(path.join(root, kind, pkg) + path.sep)) problems.push(`${rel}: relative import "${spec}" leaves its package; import the package by name`);
          const resolved = resolveRelative(file, spec);
          if (resolved) imported.push(resolved);
          continue;
        }
        if (app !== undefined) continue;
        const [, lib, deep] = /^@execn\/([^/]+)(?:\/(.+))?$/.exec(spec) ?? [];
        const libFile = lib && (deep === undefined ? path.join(root, 'libs', lib, 'src', 'index.ts') : resolveRelative(path.join(root, 'libs', lib, 'x'), `./${deep}`));
        if (libFile) imported.push(libFile);
        if (lib && !isTest) deps.add(lib);
        if (kind === 'libs' && pkg === 'matching' && !isTest && !spec.startsWith('.')) problems.push(`${rel}: libs/matching must stay pure, it imports "${spec}"`);
      }
      if (kind === 'libs' && pkg !== 'config' && pkg !== 'testing' && !isTest && /process\.env\b/.test(text)) problems.push(`${rel}: only libs/config reads process.env`);
      if (!isTest && pkg !== 'testing' && /\bconsole\.(log|info|warn|error|debug)\(/.test(text)) problems.push(`${rel}: use the pino logger, not console`);
    }
    if (kind === 'libs') libGraph.set(pkg, deps);
  }
}

/** Reports each cycle of `graph` it meets (depth first), as `label`: a -> b -> a. */
function findCycles(graph, label, name) {
  const state = new Map();
  const stack = [];
  function visit(n) {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'active') {
      problems.push(`${label}: ${[...stack.slice(stack.indexOf(n)), n].map(name).join(' -> ')}`);
      return;
    }
    state.set(n, 'active');
    stack.push(n);
    for (const d of graph.get(n) ?? []) visit(d);
    stack.pop();
    state.set(n, 'done');
  }
  for (const n of graph.keys()) visit(n);
}
findCycles(libGraph, 'dependency cycle', (n) => n);
findCycles(fileGraph, 'file import cycle', (f) => path.relative(root, f));

if (problems.length) {
  console.error(`architecture check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`architecture check: ${libGraph.size} libs, ${fileGraph.size} files, no cycle, layering respected`);
