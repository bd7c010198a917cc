/**
 * The languages the repo map can outline: which file extensions map to which tree-sitter grammar,
 * and the one parser that parses them. The grammars are the prebuilt WebAssembly builds of
 * `@vscode/tree-sitter-wasm` (with its own build of the web-tree-sitter runtime), loaded from
 * node_modules on first use of each language: no network, no native code. A file whose extension
 * is not listed gets its path only.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TreeSitter from '@vscode/tree-sitter-wasm';

export type Tree = TreeSitter.Tree;
export type SyntaxNode = TreeSitter.Node;

/** Language id -> the grammar's wasm file (without `tree-sitter-` and `.wasm`) and its extensions. */
const LANGUAGES: Record<string, { grammar: string; extensions: readonly string[] }> = {
  typescript: { grammar: 'typescript', extensions: ['.ts', '.mts', '.cts'] },
  tsx: { grammar: 'tsx', extensions: ['.tsx'] },
  javascript: { grammar: 'javascript', extensions: ['.js', '.mjs', '.cjs', '.jsx'] },
  python: { grammar: 'python', extensions: ['.py', '.pyi'] },
  go: { grammar: 'go', extensions: ['.go'] },
  rust: { grammar: 'rust', extensions: ['.rs'] },
  java: { grammar: 'java', extensions: ['.java'] },
  csharp: { grammar: 'c-sharp', extensions: ['.cs'] },
  cpp: { grammar: 'cpp', extensions: ['.c', '.h', '.cc', '.cpp', '.cxx', '.hh', '.hpp', '.hxx'] },
  ruby: { grammar: 'ruby', extensions: ['.rb'] },
  php: { grammar: 'php', extensions: ['.php'] },
  bash: { grammar: 'bash', extensions: ['.sh', '.bash'] },
};

const BY_EXTENSION = new Map(Object.entries(LANGUAGES).flatMap(([id, l]) => l.extensions.map((e) => [e, id] as const)));

/** The language id of a repo-relative path, by its extension (`.d.ts` is TypeScript), or null. */
export function languageOf(file: string): string | null {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  return BY_EXTENSION.get(base.slice(dot).toLowerCase()) ?? null;
}

const require = createRequire(import.meta.url);
let runtime: Promise<{ ts: typeof TreeSitter; parser: TreeSitter.Parser }> | undefined;
const grammars = new Map<string, Promise<TreeSitter.Language>>();

/** The runtime and the one parser, initialised once (the wasm runtime loads from the package's own folder). */
function loadRuntime(): Promise<{ ts: typeof TreeSitter; parser: TreeSitter.Parser }> {
  runtime ??= (async () => {
    const ts = require('@vscode/tree-sitter-wasm') as typeof TreeSitter;
    await ts.Parser.init();
    return { ts, parser: new ts.Parser() };
  })();
  return runtime;
}

/** The grammar of a language, loaded on first use. */
function loadGrammar(ts: typeof TreeSitter, id: string): Promise<TreeSitter.Language> {
  let grammar = grammars.get(id);
  if (!grammar) {
    const file = path.join(path.dirname(require.resolve('@vscode/tree-sitter-wasm')), `tree-sitter-${LANGUAGES[id]!.grammar}.wasm`);
    grammar = readFile(file).then((bytes) => ts.Language.load(bytes));
    grammars.set(id, grammar);
  }
  return grammar;
}

/**
 * Parse `content` as language `id` and hand the tree to `use`; the tree is freed afterwards (wasm
 * memory is not garbage collected). Parses run one at a time on the shared parser: `use` is
 * synchronous, so no other parse can interleave.
 */
export async function withTree<T>(id: string, content: string, use: (root: SyntaxNode) => T): Promise<T> {
  const { ts, parser } = await loadRuntime();
  const grammar = await loadGrammar(ts, id);
  parser.setLanguage(grammar);
  const tree = parser.parse(content);
  if (!tree) throw new Error(`tree-sitter returned no tree for a ${id} file`);
  try {
    return use(tree.rootNode);
  } finally {
    tree.delete();
  }
}
