#!/usr/bin/env node
/**
 * Dead exports: names exported by a module of src/ that no other file imports. Part of `npm test`
 * (docs/contributing.md); exits 1 and lists them when there are any.
 *
 * Counted as users: every other file of src/, test/, scripts/, bench/ and bin/ (the JavaScript
 * ones import the build, `dist/x.js`, which stands for `src/x.ts`), through static imports,
 * `export … from` re-exports that are themselves used, `import()` (a destructured one uses the
 * names it takes, any other use all of them) and `import('…').Name` types. The modules the package
 * exports (package.json `exports`: src/index.ts, src/emulator/index.ts) are the public API: their
 * exports are used by definition. A use inside the exporting file does not count: such a name
 * needs no `export` (except a type that the file's own exported signatures use).
 *
 * `--test-only` also lists the exports only tests use (allowed when the test is about that unit);
 * `--root DIR` checks another repository laid out the same way.
 *
 * Why a script over the TypeScript compiler's parser rather than a tool such as knip: the rules
 * above are this repository's (the JavaScript consumers of dist/, the package's exports as the
 * API), they fit in one page, and TypeScript is already a pinned dependency, so the check adds
 * nothing to install and no configuration to keep in step with a tool's releases.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const rootArg = process.argv.indexOf('--root');
/** The repository checked: this one, or `--root DIR` (the script's own test runs it on a small fixture). */
const ROOT = rootArg === -1 ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') : path.resolve(process.argv[rootArg + 1]);
const SOURCE_DIRS = ['src', 'test', 'scripts', 'bench', 'bin'];
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Every .ts / .js / .mjs file under the source dirs (not .d.ts; not under node_modules/, fixtures/ or results/). */
const files = () =>
  SOURCE_DIRS.flatMap((d) => {
    const dir = path.join(ROOT, d);
    const names = (() => {
      try {
        return readdirSync(dir, { recursive: true, encoding: 'utf8' });
      } catch {
        return [];
      }
    })();
    return names
      .filter((n) => /\.(?:ts|js|mjs)$/.test(n) && !n.endsWith('.d.ts') && !/(?:^|[\\/])(?:node_modules|fixtures|results)[\\/]/.test(n))
      .map((n) => path.join(dir, n));
  });

const rel = (abs) => path.relative(ROOT, abs).split(path.sep).join('/');

/** The src/ module a specifier names, relative to `from`, or null (a package, or outside src/). */
function resolve(spec, from) {
  let target;
  if (spec === PACKAGE.name || spec.startsWith(`${PACKAGE.name}/`)) {
    const entry = PACKAGE.exports?.[`.${spec.slice(PACKAGE.name.length)}`];
    const file = typeof entry === 'string' ? entry : entry?.import;
    if (!file) return null;
    target = path.join(ROOT, file);
  } else if (spec.startsWith('.')) {
    target = path.resolve(path.dirname(from), spec);
  } else {
    return null;
  }
  let r = rel(target);
  if (r.startsWith('dist/')) r = `src/${r.slice('dist/'.length)}`;
  if (!r.startsWith('src/')) return null;
  return r.replace(/\.(?:js|ts|mjs)$/, '') + '.ts';
}

/** The modules the package exports: their exports are the public API. */
function entries() {
  const out = new Set();
  for (const value of Object.values(PACKAGE.exports ?? {})) {
    const file = typeof value === 'string' ? value : value?.import;
    if (typeof file === 'string' && file.endsWith('.js')) out.add(resolve(`./${file.replace(/^\.\//, '')}`, path.join(ROOT, 'x')));
  }
  out.delete(null);
  return out;
}

const ALL = '*';

/**
 * One file's exports (for src/ modules) and imports:
 * - exports: name -> { line, local } (local: declared here, not re-exported);
 * - reexports: [{ from, name, as }] (name ALL with as ALL: `export * from`);
 * - imports: [{ from, names }] (names: a list, or ALL).
 */
function parse(abs) {
  const text = readFileSync(abs, 'utf8');
  const kind = abs.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const sf = ts.createSourceFile(abs, text, ts.ScriptTarget.Latest, true, kind);
  const exports = new Map();
  const reexports = [];
  const imports = [];
  const line = (node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const isType = (node) => ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node);
  const isExported = (node) => ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export;
  const target = (spec) => resolve(spec, abs);

  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
      const from = target(stmt.moduleSpecifier.text);
      const clause = stmt.importClause;
      if (!from || !clause) continue;
      const names = [];
      if (clause.name) names.push('default');
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) imports.push({ from, names: ALL });
      else if (bindings) for (const el of bindings.elements) names.push((el.propertyName ?? el.name).text);
      imports.push({ from, names });
    } else if (ts.isExportDeclaration(stmt)) {
      const from = stmt.moduleSpecifier && ts.isStringLiteral(stmt.moduleSpecifier) ? target(stmt.moduleSpecifier.text) : null;
      if (stmt.moduleSpecifier && !from) continue; // a package's names
      if (!stmt.exportClause) {
        reexports.push({ from, name: ALL, as: ALL });
      } else if (ts.isNamespaceExport(stmt.exportClause)) {
        reexports.push({ from, name: ALL, as: stmt.exportClause.name.text });
        exports.set(stmt.exportClause.name.text, { line: line(stmt), local: false, type: stmt.isTypeOnly });
      } else {
        for (const el of stmt.exportClause.elements) {
          const name = (el.propertyName ?? el.name).text;
          if (from) reexports.push({ from, name, as: el.name.text });
          exports.set(el.name.text, { line: line(el), local: !from, type: stmt.isTypeOnly || el.isTypeOnly });
        }
      }
    } else if (ts.isExportAssignment(stmt)) {
      exports.set('default', { line: line(stmt), local: true, type: false });
    } else if (isExported(stmt)) {
      const isDefault = ts.getCombinedModifierFlags(stmt) & ts.ModifierFlags.Default;
      if (ts.isVariableStatement(stmt)) {
        for (const d of stmt.declarationList.declarations) {
          if (ts.isIdentifier(d.name)) exports.set(d.name.text, { line: line(d), local: true, type: false });
        }
      } else if (stmt.name && ts.isIdentifier(stmt.name)) {
        exports.set(isDefault ? 'default' : stmt.name.text, { line: line(stmt), local: true, type: isType(stmt) });
      }
    }
  }

  // Identifiers of the file by name, to tell a type its own file uses (in an exported signature) from an unused one.
  const mentions = new Map();
  const count = (node) => {
    if (ts.isIdentifier(node)) mentions.set(node.text, (mentions.get(node.text) ?? 0) + 1);
    ts.forEachChild(node, count);
  };
  count(sf);
  for (const [name, info] of exports) info.usedInFile = (mentions.get(name) ?? 0) > (info.local ? 1 : 2);

  // import('…'): destructured in a declaration, `import('…').Name` as a type, or anything else (all names).
  const visit = (node) => {
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      const from = target(node.argument.literal.text);
      if (from) imports.push({ from, names: node.qualifier ? [firstName(node.qualifier)] : ALL });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      const from = arg && ts.isStringLiteralLike(arg) ? target(arg.text) : null;
      if (from) imports.push({ from, names: destructured(node) ?? ALL });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { exports, reexports, imports };
}

const firstName = (q) => (ts.isIdentifier(q) ? q.text : firstName(q.left));

/** `const { a, b: c } = await import('…')`: ['a', 'b']; otherwise null. */
function destructured(call) {
  let node = call.parent;
  if (node && ts.isAwaitExpression(node)) node = node.parent;
  if (node && ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name)) {
    const names = [];
    for (const el of node.name.elements) {
      if (el.dotDotDotToken) return null;
      const key = el.propertyName ?? el.name;
      if (!ts.isIdentifier(key)) return null;
      names.push(key.text);
    }
    return names;
  }
  return null;
}

function main() {
  const showTestOnly = process.argv.includes('--test-only');
  const modules = new Map(); // rel -> parsed
  for (const abs of files()) modules.set(rel(abs), parse(abs));
  const api = entries();

  /** used: module -> name -> set of user files (an entry's names are used by 'the public API'). */
  const used = new Map();
  const use = (mod, name, by) => {
    if (!modules.has(mod)) return false;
    const names = used.get(mod) ?? new Map();
    used.set(mod, names);
    const users = names.get(name) ?? new Set();
    names.set(name, users);
    const fresh = !users.has(by);
    users.add(by);
    return fresh;
  };
  const useAll = (mod, by) => {
    for (const name of modules.get(mod)?.exports.keys() ?? []) use(mod, name, by);
    // `export * from` names are not in `exports`: follow them.
    for (const r of modules.get(mod)?.reexports ?? []) if (r.as === ALL) useAll(r.from, by);
  };

  for (const mod of api) useAll(mod, 'the public API');
  for (const [file, m] of modules) {
    for (const imp of m.imports) {
      if (imp.from === file) continue;
      if (imp.names === ALL) useAll(imp.from, file);
      else for (const name of imp.names) use(imp.from, name, file);
    }
  }
  // Re-exports pass a use on to the module they take the name from, until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [file, m] of modules) {
      const names = used.get(file);
      if (!names) continue;
      for (const r of m.reexports) {
        if (!r.from) continue;
        for (const [name, users] of names) {
          const passes = r.as === ALL ? !m.exports.has(name) : r.as === name;
          if (!passes) continue;
          const source = r.name === ALL ? name : r.name;
          for (const by of users) if (by !== r.from && use(r.from, source, by)) changed = true;
        }
      }
    }
  }

  const dead = [];
  const testOnly = [];
  for (const [file, m] of modules) {
    if (!file.startsWith('src/') || api.has(file)) continue;
    for (const [name, info] of m.exports) {
      const users = [...(used.get(file)?.get(name) ?? [])].filter((u) => u !== file);
      // A type its own file uses is part of an exported signature (a parameter, a result): it may stay exported.
      if (users.length === 0 && !(info.type && info.usedInFile)) dead.push(`${file}:${info.line}  ${name}`);
      else if (users.length > 0 && users.every((u) => u.startsWith('test/'))) testOnly.push(`${file}:${info.line}  ${name}  (${users.join(', ')})`);
    }
  }
  if (showTestOnly && testOnly.length > 0) {
    console.log(`Exports only tests use (${testOnly.length}):\n  ${testOnly.join('\n  ')}\n`);
  }
  if (dead.length > 0) {
    console.error(`Dead exports (${dead.length}): exported from src/ but imported by no other file.`);
    console.error(`Remove them, or drop the \`export\` when the file itself uses them:\n  ${dead.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`dead-exports: none (${modules.size} files)`);
  }
}

main();
