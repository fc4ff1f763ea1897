// Enforces the layering of STYLE.md on imports: libs never import apps, apps
// never import each other, libs/matching imports no I/O, only libs/config
// reads process.env, and the lib dependency graph has no cycle.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
const libGraph = new Map();

function walk(dir, out = []) {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (e === 'node_modules' || e === 'dist') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const importRe = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
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
      for (const m of text.matchAll(importRe)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(path.join(root, kind, pkg))) problems.push(`${rel}: relative import "${spec}" leaves its package; import the package by name`);
          continue;
        }
        const lib = /^@execn\/([^/]+)/.exec(spec)?.[1];
        if (lib && !isTest) deps.add(lib);
        if (kind === 'libs' && pkg === 'matching' && !isTest && !spec.startsWith('.')) problems.push(`${rel}: libs/matching must stay pure, it imports "${spec}"`);
      }
      if (kind === 'libs' && pkg !== 'config' && pkg !== 'testing' && !isTest && /process\.env\b/.test(text)) problems.push(`${rel}: only libs/config reads process.env`);
      if (kind === 'libs' && !isTest && /apps\//.test(text) && /from\s+['"][^'"]*apps\//.test(text)) problems.push(`${rel}: a lib imports an app`);
      if (!isTest && pkg !== 'testing' && /\bconsole\.(log|info|warn|error|debug)\(/.test(text)) problems.push(`${rel}: use the pino logger, not console`);
    }
    if (kind === 'libs') libGraph.set(pkg, deps);
  }
}

// Cycle check over the lib graph.
const state = new Map();
function visit(n, stack) {
  if (state.get(n) === 'done') return;
  if (state.get(n) === 'active') { problems.push(`dependency cycle: ${[...stack, n].join(' -> ')}`); return; }
  state.set(n, 'active');
  for (const d of libGraph.get(n) ?? []) visit(d, [...stack, n]);
  state.set(n, 'done');
}
for (const n of libGraph.keys()) visit(n, []);

if (problems.length) {
  console.error(`architecture check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`architecture check: ${libGraph.size} libs, no cycle, layering respected`);
