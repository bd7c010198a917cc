/**
 * The codebase context: one text block that carries the whole scanned repo, sent with
 * `cache_control` in every request (docs/context.md). Its bytes depend only on the files'
 * paths and contents (no time, no absolute path, no environment, files sorted by path), so the
 * same snapshot gives the same block and every request after the first reads the cache.
 *
 * Layout: a short header, a `<tree>` of the files the scan read, then every file as
 *
 *     <file path="src/a.ts">
 *     …content, byte for byte…
 *     </file>
 *
 * and, when the read left some out (binary, too large, unreadable), an `<omitted>` list of them
 * with why, after the last file. So the header depends only on what the walk found: the scan knows
 * it before it reads a file, and writes the context in one pass (repo/context-writer.ts).
 *
 * Delimiter scheme: a file ends only at the closing tag that matches its opening tag, and that
 * closing tag never occurs in the file's content. A file whose content contains `</file>` (say,
 * a test of this module) is wrapped as `<file_2 path="…">…</file_2>` instead, or `file_3`… (the
 * first name whose closing tag the content does not contain). Paths are escaped as XML
 * attributes (`&amp; &quot; &lt; &gt;`, control characters as `&#N;`). A newline is added after
 * content that does not end with one, so the closing tag always starts a line.
 */
import { createHash } from 'node:crypto';
import { HarnessError } from '../shared/errors.js';
import { estimateTokens } from '../shared/tokens.js';
import type { ModelInfo } from '../models/models.js';
import { comparePaths, type RepoFile, type SkippedFile } from './scan.js';

export interface CodebaseContext {
  text: string;
  /** `estimateTokens(text)`. */
  tokens: number;
  /** UTF-8 length of `text`. */
  bytes: number;
  files: number;
  /** `contextDigest` of `text`: what identifies it (the cache's prefix, the stored snapshot). */
  sha256: string;
}

export function buildContext(files: readonly RepoFile[], omitted: readonly SkippedFile[] = []): CodebaseContext {
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  const head = contextHead([...sorted.map((f) => f.path), ...omitted.map((o) => o.path)].sort(comparePaths));
  const body = fileSections(sorted) + omittedBlock([...omitted].sort((a, b) => comparePaths(a.path, b.path)));
  const text = head + body;
  return {
    text,
    tokens: estimateTokens(text),
    bytes: Buffer.byteLength(text, 'utf8'),
    files: sorted.length,
    sha256: contextDigest(head, createHash('sha256').update(body, 'utf8').digest()),
  };
}

/** The context's header for the paths of its tree (sorted: the files read, included or not): the description, then the tree. */
export function contextHead(paths: readonly string[]): string {
  return `${header(paths.length)}<tree>\n${renderTree(paths)}</tree>\n`;
}

/**
 * The files of the tree that are not in the context (the walk found them, the read left them out:
 * `ScanResult.omitted`), with why, after the last file ('' when none).
 * Like a file's section it starts with a line break and ends with one.
 */
export function omittedBlock(omitted: readonly SkippedFile[]): string {
  if (omitted.length === 0) return '';
  const lines = omitted.map((o) => `${escapeAttr(o.path)}: ${o.reason}\n`).join('');
  return `\n<omitted>\nIn the tree but not included above:\n${lines}</omitted>\n`;
}

/**
 * A context's digest (hex): the SHA-256 of its header's UTF-8 bytes followed by the SHA-256 of the
 * rest (`bodyDigest`, the raw digest of the files' sections). Not the SHA-256 of the whole text:
 * the scan hashes the files as it reads them, before it knows the header for sure (a file that
 * turns out binary or too large changes it), and so never hashes them twice.
 */
export function contextDigest(head: string | Uint8Array, bodyDigest: Uint8Array): string {
  return createHash('sha256').update(head).update(bodyDigest).digest('hex');
}

/** The context's first lines. Self-contained (the scan's worker thread runs its text, scan-worker.ts). */
export function header(count: number): string {
  return (
    `# Codebase\n\n` +
    `A read-only snapshot of the repository the tasks are about: ${count} ${count === 1 ? 'file' : 'files'}, ` +
    `first as a directory tree, then each one in full as <file path="PATH">…</file>. ` +
    `A file ends only at the closing tag matching its opening tag; a file whose content contains "</file>" ` +
    `is wrapped in <file_2 path="PATH">…</file_2> (or file_3, …) instead. ` +
    `Files that are ignored, generated, binary, too large or secret are not included.\n\n`
  );
}

/**
 * Every file as `\n<file path="…">\ncontent</file>\n`, in the order given (the codebase block's
 * framing; the earlier-stage block of src/requests/stage-block.ts uses it too).
 */
export function fileSections(files: readonly Pick<RepoFile, 'path' | 'content'>[]): string {
  const parts: string[] = [];
  for (const file of files) {
    const tag = tagFor(file.content);
    parts.push(`\n<${tag} path="${escapeAttr(file.path)}">\n`, file.content);
    if (file.content.length > 0 && !file.content.endsWith('\n')) parts.push('\n');
    parts.push(`</${tag}>\n`);
  }
  return parts.join('');
}

/** `base` (`file`), or `base_N` for the first N ≥ 2 whose closing tag the content does not contain. */
export function tagFor(content: string, base = 'file'): string {
  if (!content.includes(`</${base}>`)) return base;
  for (let n = 2; ; n++) {
    const tag = `${base}_${n}`;
    if (!content.includes(`</${tag}>`)) return tag;
  }
}

export function escapeAttr(s: string): string {
  return s.replace(/[&"<>\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '"':
        return '&quot;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      default:
        return `&#${c.charCodeAt(0)};`;
    }
  });
}

interface TreeNode {
  /** Null for a file that is not also a directory. */
  children: Map<string, TreeNode> | null;
  isFile: boolean;
}

/**
 * Two spaces per level, directories with a trailing `/`, entries in code-unit order. Self-contained
 * (the scan's worker thread runs its text, scan-worker.ts). Paths of one directory usually come
 * one after the other (the walk's order): each finds its directory's node with one lookup.
 */
export function renderTree(paths: readonly string[]): string {
  const comparePaths = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const root: TreeNode = { children: new Map(), isFile: false };
  const dirs = new Map<string, TreeNode>([['', root]]);
  /** The node of directory `dir` ('' the root), made with its parents when new. */
  const dirNode = (dir: string): TreeNode => {
    let found = dirs.get(dir);
    if (found) return found;
    const cut = dir.lastIndexOf('/');
    const parent = dirNode(cut === -1 ? '' : dir.slice(0, cut));
    const name = dir.slice(cut + 1);
    parent.children ??= new Map();
    found = parent.children.get(name);
    if (!found) {
      found = { children: new Map(), isFile: false };
      parent.children.set(name, found);
    }
    found.children ??= new Map();
    dirs.set(dir, found);
    return found;
  };
  for (const p of paths) {
    const cut = p.lastIndexOf('/');
    const parent = dirNode(cut === -1 ? '' : p.slice(0, cut));
    const name = p.slice(cut + 1);
    const child = parent.children!.get(name);
    if (child) child.isFile = true;
    else parent.children!.set(name, { children: null, isFile: true });
  }
  const out: string[] = [];
  const control = /[\u0000-\u001f\u007f]/g;
  const walk = (dir: TreeNode, indent: string): void => {
    const names = [...dir.children!.keys()];
    for (let i = 1; i < names.length; i++)
      if (comparePaths(names[i - 1]!, names[i]!) > 0) {
        names.sort(comparePaths);
        break;
      }
    for (const name of names) {
      const child = dir.children!.get(name)!;
      const shown = name.replace(control, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      if (child.isFile) out.push(`${indent}${shown}\n`);
      if (child.children !== null && child.children.size > 0) {
        out.push(`${indent}${shown}/\n`);
        walk(child, `${indent}  `);
      }
    }
  };
  walk(root, '');
  return out.join('');
}

const LIST = 5;
const fmt = (n: number) => n.toLocaleString('en-US');

/** A cached block sent after the codebase (the earlier stages' files, the plan), counted by the fit check. */
export interface ExtraBlock {
  label: string;
  tokens: number;
}

/**
 * Throws CONTEXT_TOO_LARGE (exit 2) when the context, the `extra` blocks sent with it (the plan,
 * the earlier stages' files) and the tokens kept for the rest of the prompt do not fit the model's
 * input window, naming the biggest directories and files of `files`.
 */
export function assertContextFits(
  ctx: CodebaseContext,
  files: readonly Pick<RepoFile, 'path' | 'content'>[],
  model: ModelInfo,
  reservedTokens: number,
  extra: readonly ExtraBlock[] = [],
  maxTokens = 0,
): void {
  const needed = ctx.tokens + extra.reduce((n, b) => n + b.tokens, 0) + reservedTokens + maxTokens;
  if (needed <= model.contextWindow) return;

  const perFile = files.map((f) => ({ path: f.path, tokens: estimateTokens(f.content) }));
  const dirs = new Map<string, { tokens: number; files: number }>();
  for (const f of perFile) {
    for (let i = f.path.indexOf('/'); i !== -1; i = f.path.indexOf('/', i + 1)) {
      const dir = f.path.slice(0, i + 1);
      const d = dirs.get(dir) ?? { tokens: 0, files: 0 };
      d.tokens += f.tokens;
      d.files += 1;
      dirs.set(dir, d);
    }
  }
  const byTokens = <T extends { path: string; tokens: number }>(a: T, b: T) => b.tokens - a.tokens || comparePaths(a.path, b.path);
  // Biggest directories, leaving out one that only repeats a chosen one (`a/` holding nothing but `a/b/`).
  const topDirs: { path: string; tokens: number; files: number }[] = [];
  for (const d of [...dirs].map(([path, v]) => ({ path, ...v })).sort(byTokens)) {
    if (topDirs.length === LIST) break;
    const repeats = topDirs.some((t) => t.tokens === d.tokens && (t.path.startsWith(d.path) || d.path.startsWith(t.path)));
    if (!repeats) topDirs.push(d);
  }
  const topFiles = perFile.sort(byTokens).slice(0, LIST);

  const lines = [
    `the codebase context does not fit ${model.id}'s input window: ~${fmt(ctx.tokens)} tokens of context ` +
      extra.map((b) => `+ ~${fmt(b.tokens)} tokens of ${b.label} `).join('') +
      `+ ${fmt(reservedTokens)} reserved for the prompt ` +
      (maxTokens > 0 ? `+ max_tokens ${fmt(maxTokens)} (the output shares the window) ` : '') +
      `= ${fmt(needed)} > ${fmt(model.contextWindow)} tokens ` +
      `(over by ${fmt(needed - model.contextWindow)}; ${fmt(ctx.files)} files, ${fmt(ctx.bytes)} bytes)`,
  ];
  if (topDirs.length > 0) {
    lines.push('largest directories:');
    for (const d of topDirs) lines.push(`  ${d.path}  ~${fmt(d.tokens)} tokens, ${fmt(d.files)} ${d.files === 1 ? 'file' : 'files'}`);
  }
  if (topFiles.length > 0) {
    lines.push('largest files:');
    for (const f of topFiles) lines.push(`  ${f.path}  ~${fmt(f.tokens)} tokens`);
  }
  // The example names the biggest listed directory that holds no other listed one (`src/generated/`, not `src/`).
  const leaf = topDirs.find((d) => !topDirs.some((o) => o !== d && o.path.startsWith(d.path)));
  const example = leaf ? `${leaf.path}**` : (topFiles[0]?.path ?? 'path/to/leave/out/**');
  throw new HarnessError('CONTEXT_TOO_LARGE', lines.join('\n'), {
    hint:
      `leave some of them out of the context: add globs such as '${example}' to \`exclude\` in harness.config, ` +
      `or lines to .harnessignore (gitignore syntax), then run again` +
      (maxTokens > 0 ? "; or set `context.mode` to 'auto' or 'map': each request then sees a map of the repo and its group's files in full" : ''),
  });
}

/** How the codebase is sent: `full` (the whole context in every request) or `map` (repo map + a context per group). */
export type ContextMode = 'full' | 'map';

/**
 * The mode for a setting: `full` and `map` as set; `auto` is `full` when the context, the reserve
 * for the prompt and `max_tokens` fit the window together, else `map`.
 */
export function decideContextMode(
  setting: 'auto' | 'full' | 'map',
  contextTokens: number,
  reservedTokens: number,
  maxTokens: number,
  window: number,
): ContextMode {
  if (setting !== 'auto') return setting;
  return contextTokens + reservedTokens + maxTokens <= window ? 'full' : 'map';
}
