/**
 * One file's outline: its language (by extension), its top-level declarations and import
 * specifiers (from the tree-sitter parse), and the identifiers it uses (for the ranking).
 *
 * A file is parsed only when it has a grammar and is worth it: files over MAX_OUTLINE_BYTES,
 * binary-looking text (NUL or many U+FFFD) and minified code (very long lines) get their path only.
 * Identifiers are read from the text with one regular expression rather than from the tree: a
 * query over every identifier node costs another ~40 % of the parse, and a word in a comment that
 * also names a declaration elsewhere adds little noise to a graph weighted as rank-files does.
 */
import type { FileOutline } from './repo-map.js';
import { languageOf, withTree } from './languages.js';
import { outlineGeneric } from './outline-generic.js';
import { goModulePath, outlineGo } from './outline-go.js';
import { outlinePython } from './outline-python.js';
import { outlineScript } from './outline-script.js';
import { packageJsonSettings } from './package-json.js';
import { cargoCrateName } from './resolve-rust.js';
import { detach, OutlineCollector } from './signature.js';
import { isTsconfig, tsconfigSettings } from './tsconfig-paths.js';

/** Larger files are listed by path only (parsing is linear, but a generated file's outline is noise). */
const MAX_OUTLINE_BYTES = 256 * 1024;
/** Mean line length above which a file is taken for minified or generated, and not parsed. */
const MINIFIED_MEAN_LINE = 500;
/** At most this many declarations per file are kept (in source order). */
const MAX_DECLARATIONS = 400;

const IDENTIFIER = /[A-Za-z_$][\w$]*/g;
/** Keywords of the outlined languages that would otherwise count as references. */
const KEYWORDS = new Set(
  (
    'abstract as async await break case catch class const continue def default defer delete do elif else enum export extends false final finally fn for ' +
    'from func function go if impl implements import in instanceof interface is let match mod module mut new nil None not null of or and package pass ' +
    'private protected pub public raise readonly return self static struct super switch this throw throws trait true True False try type typeof use var ' +
    'void while with yield lambda global nonlocal assert range chan map select string number boolean any unknown never undefined int float bool str'
  ).split(' '),
);

/** Kinds that define their name at the top level (a method, a field or a re-export does not). */
export const DEFINING_KINDS = (kind: string): boolean => kind !== 'method' && kind !== 'field' && kind !== 'export' && kind !== 'reexport';

export async function outline(path: string, content: string): Promise<FileOutline> {
  const pathOnly: FileOutline = { path, language: null, declarations: [], imports: [], references: [] };
  /** Larger files are not read as configs (nor parsed, below). */
  const small = content.length <= MAX_OUTLINE_BYTES;
  if (path === 'go.mod' || path.endsWith('/go.mod')) {
    const module = goModulePath(content);
    return module
      ? { ...pathOnly, language: 'go.mod', declarations: [{ kind: 'module', name: detach(module), signature: `module ${module}`, line: 1 }] }
      : pathOnly;
  }
  if (path === 'package.json' || path.endsWith('/package.json')) {
    const pkg = small ? packageJsonSettings(content) : null;
    if (!pkg || (!pkg.name && !pkg.exports.length && !pkg.imports.length)) return pathOnly;
    const { name, exports, imports } = pkg;
    return {
      ...pathOnly,
      language: 'package.json',
      declarations: name ? [{ kind: 'package', name, signature: `package ${name}`, line: 1 }] : [],
      ...(exports.length || imports.length ? { packageJson: { exports, imports } } : {}),
    };
  }
  if (path === 'Cargo.toml' || path.endsWith('/Cargo.toml')) {
    const name = small ? cargoCrateName(content) : null;
    return name ? { ...pathOnly, language: 'cargo.toml', declarations: [{ kind: 'crate', name, signature: `crate ${name}`, line: 1 }] } : pathOnly;
  }
  if (isTsconfig(path)) {
    const settings = small ? tsconfigSettings(content) : null;
    return settings ? { ...pathOnly, language: 'tsconfig', tsconfig: settings } : { ...pathOnly, language: 'tsconfig' };
  }
  const language = languageOf(path);
  if (!language || !worthParsing(content)) return pathOnly;
  const out = new OutlineCollector(content);
  await withTree(language, content, (root) => {
    if (language === 'typescript' || language === 'tsx' || language === 'javascript') outlineScript(root, out);
    else if (language === 'python') outlinePython(root, out);
    else if (language === 'go') outlineGo(root, out);
    else outlineGeneric(language, root, out);
  });
  const declarations = out.declarations.slice(0, MAX_DECLARATIONS);
  const namespaces = out.namespaces.length ? { namespaces: [...new Set(out.namespaces)].sort() } : {};
  return { path, language, declarations, imports: [...new Set(out.imports)].sort(), references: referencesOf(content, declarations), ...namespaces };
}

function worthParsing(content: string): boolean {
  if (content.length > MAX_OUTLINE_BYTES || content.includes('\u0000')) return false;
  let bad = 0;
  for (let i = content.indexOf('\uFFFD'); i >= 0 && bad <= 8; i = content.indexOf('\uFFFD', i + 1)) bad++;
  if (bad > 8) return false;
  let lines = 1;
  for (let i = content.indexOf('\n'); i >= 0; i = content.indexOf('\n', i + 1)) lines++;
  return content.length / lines <= MINIFIED_MEAN_LINE;
}

/** The identifiers of the text (two characters or more, no keyword), minus the file's own top-level names; sorted. */
function referencesOf(content: string, declarations: readonly { kind: string; name: string }[]): string[] {
  const own = new Set(declarations.filter((d) => DEFINING_KINDS(d.kind)).map((d) => d.name));
  const seen = new Set<string>();
  for (const id of content.match(IDENTIFIER) ?? []) {
    if (id.length > 1 && id.length <= 80 && !KEYWORDS.has(id) && !own.has(id)) seen.add(id);
  }
  return [...seen].map(detach).sort();
}
