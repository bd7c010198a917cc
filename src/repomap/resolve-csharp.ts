/**
 * C# `using` directives to repo files: the files that declare the namespace (a C# namespace is
 * not a directory, so the outline lists each file's namespaces: FileOutline.namespaces).
 *
 * - `using Acme.Shop;` (and `global using`) -> every file declaring `namespace Acme.Shop`
 *   (block-scoped, file-scoped, or nested as `namespace Acme { namespace Shop … }`);
 * - `using static Acme.Shop.Util;` and an alias `using Order = Acme.Shop.Models.Order;` name a
 *   type: the files of its namespace that declare it at the top level (an alias of a namespace is
 *   that namespace's files).
 *
 * Namespaces of the framework and of packages are not declared in the repo and resolve to nothing.
 */
import type { FileOutline } from './repo-map.js';

export interface CsharpIndex {
  /** Namespace -> the files declaring it, sorted. */
  namespaces: ReadonlyMap<string, readonly string[]>;
  /** `Namespace.Type` -> the files declaring that type in that namespace, sorted. */
  types: ReadonlyMap<string, readonly string[]>;
}

const TYPE_KINDS = new Set(['class', 'interface', 'struct', 'enum', 'record', 'delegate']);

const push = (m: Map<string, string[]>, k: string, v: string) => {
  const list = m.get(k);
  if (!list) m.set(k, [v]);
  else if (list[list.length - 1] !== v) list.push(v);
};

export function indexCsharp(outlines: readonly FileOutline[]): CsharpIndex {
  const namespaces = new Map<string, string[]>();
  const types = new Map<string, string[]>();
  for (const o of outlines) {
    if (o.language !== 'csharp' || !o.namespaces) continue;
    for (const ns of o.namespaces) {
      push(namespaces, ns, o.path);
      // which namespace of a file holds which type is not in the outline: a type counts for each
      for (const d of o.declarations) if (TYPE_KINDS.has(d.kind)) push(types, `${ns}.${d.name}`, o.path);
    }
  }
  for (const m of [namespaces, types]) for (const list of m.values()) list.sort();
  return { namespaces, types };
}

/** The repo files a `using` directive (as the outline keeps it: without `global`, `using`, `static` and `;`) names. */
export function resolveCsharp(index: CsharpIndex, spec: string): readonly string[] {
  const target = spec
    .slice(spec.indexOf('=') + 1) // an alias: what it stands for
    .replace(/<[\s\S]*$/, '') // a generic type's arguments
    .replace(/\s+/g, '')
    .replace(/^global::/, '');
  if (!/^@?[\p{L}\p{N}_]+(?:\.@?[\p{L}\p{N}_]+)*$/u.test(target)) return [];
  return index.namespaces.get(target) ?? index.types.get(target) ?? [];
}
