/**
 * Outlines of the other languages that have a grammar (Rust, Java, C#, C/C++, Ruby, PHP, Bash),
 * driven by one table per language: which node types are declarations (and of which kind), which
 * are containers whose members are listed too (namespaces, modules, `impl` blocks, public
 * classes), and which are imports. The signature is the node's text up to its body.
 */
import type { SyntaxNode } from './languages.js';
import { type OutlineCollector, oneLine, stringValue } from './signature.js';

interface Rules {
  /** node type -> kind. */
  kinds: Record<string, string>;
  /** Node types whose members are walked as top level (namespaces, modules, templates, export blocks). */
  transparent: readonly string[];
  /** Node types whose public members are listed under them as methods (classes, impls). */
  members: readonly string[];
  /** Member node types that count as methods. */
  methods: readonly string[];
  /** The import specifier of a node, or undefined when the node is not an import. */
  importOf: (n: SyntaxNode) => string | null | undefined;
  isPublic: (n: SyntaxNode) => boolean;
  /** The full name of a namespace the node declares (C#), else undefined. */
  namespaceOf?: (n: SyntaxNode) => string | undefined;
}

const hasModifier = (n: SyntaxNode, word: string) =>
  n.namedChildren.some((c) => c && /modifier/.test(c.type) && new RegExp(`\\b${word}\\b`).test(c.text));

const stripWords = (text: string) => oneLine(text.replace(/^\s*(?:import|using|use)\s+(?:static\s+)?/, '').replace(/;\s*$/, ''), 300);

const RULES: Record<string, Rules> = {
  rust: {
    kinds: {
      function_item: 'fn',
      struct_item: 'struct',
      enum_item: 'enum',
      trait_item: 'trait',
      type_item: 'type',
      const_item: 'const',
      static_item: 'static',
      mod_item: 'mod',
      impl_item: 'impl',
      macro_definition: 'macro',
      union_item: 'union',
    },
    transparent: ['mod_item'],
    members: ['impl_item', 'trait_item'],
    methods: ['function_item', 'function_signature_item'],
    importOf: (n) => {
      if (n.type === 'use_declaration') return rustUse(stripWords(n.childForFieldName('argument')?.text ?? ''), inlineModules(n));
      const name = n.type === 'mod_item' && !n.childForFieldName('body') ? n.childForFieldName('name')?.text : undefined;
      if (!name) return undefined;
      const inline = inlineModules(n);
      const path = inline.length ? undefined : pathAttribute(n);
      return `mod ${[...inline, name].join('::')}${path ? ` @ ${path}` : ''}`;
    },
    isPublic: (n) => n.parent?.parent?.type === 'trait_item' || n.namedChildren.some((c) => c?.type === 'visibility_modifier'),
  },
  java: {
    kinds: {
      class_declaration: 'class',
      interface_declaration: 'interface',
      enum_declaration: 'enum',
      record_declaration: 'record',
      annotation_type_declaration: 'annotation',
    },
    transparent: [],
    members: ['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration'],
    methods: ['method_declaration', 'constructor_declaration'],
    importOf: (n) => (n.type === 'import_declaration' ? stripWords(n.text).replace(/\s+/g, '') : undefined),
    isPublic: (n) => hasModifier(n, 'public') || n.parent?.parent?.type === 'interface_declaration',
  },
  csharp: {
    kinds: {
      class_declaration: 'class',
      interface_declaration: 'interface',
      struct_declaration: 'struct',
      enum_declaration: 'enum',
      record_declaration: 'record',
      delegate_declaration: 'delegate',
    },
    transparent: ['namespace_declaration', 'file_scoped_namespace_declaration', 'declaration_list'],
    members: ['class_declaration', 'interface_declaration', 'struct_declaration', 'record_declaration'],
    methods: ['method_declaration', 'constructor_declaration', 'property_declaration'],
    importOf: (n) => (n.type === 'using_directive' ? stripWords(n.text.replace(/^\s*global\s+/, '')) : undefined),
    isPublic: (n) => hasModifier(n, 'public') || n.parent?.parent?.type === 'interface_declaration',
    namespaceOf: (n) => {
      if (n.type !== 'namespace_declaration' && n.type !== 'file_scoped_namespace_declaration') return undefined;
      const names: string[] = [];
      for (let p: SyntaxNode | null = n; p; p = p.parent) {
        if (p.type === 'namespace_declaration' || p.type === 'file_scoped_namespace_declaration') {
          names.unshift(p.childForFieldName('name')?.text.replace(/\s+/g, '') ?? '');
        }
      }
      return names.every(Boolean) ? names.join('.') : undefined;
    },
  },
  cpp: {
    kinds: {
      function_definition: 'function',
      class_specifier: 'class',
      struct_specifier: 'struct',
      enum_specifier: 'enum',
      union_specifier: 'union',
      type_definition: 'typedef',
      declaration: 'declaration',
      alias_declaration: 'using',
    },
    transparent: [
      'namespace_definition',
      'declaration_list',
      'template_declaration',
      'linkage_specification',
      'preproc_ifdef',
      'preproc_if',
      'preproc_else',
    ],
    members: [],
    methods: [],
    importOf: (n) => (n.type === 'preproc_include' ? stringValue(n.childForFieldName('path'))?.replace(/^<|>$/g, '') : undefined),
    isPublic: () => true,
  },
  ruby: {
    kinds: { class: 'class', module: 'module', method: 'def', singleton_method: 'def' },
    transparent: ['module', 'body_statement'],
    members: ['class'],
    methods: ['method', 'singleton_method'],
    importOf: (n) => {
      if (n.type !== 'call' || !/^require(?:_relative)?$/.test(n.childForFieldName('method')?.text ?? '')) return undefined;
      const arg = n.childForFieldName('arguments')?.namedChild(0);
      const spec = arg?.type === 'string' ? arg.text.slice(1, -1) : null;
      return spec && n.childForFieldName('method')?.text === 'require_relative' && !spec.startsWith('.') ? `./${spec}` : spec;
    },
    isPublic: () => true,
  },
  php: {
    kinds: {
      function_definition: 'function',
      class_declaration: 'class',
      interface_declaration: 'interface',
      trait_declaration: 'trait',
      enum_declaration: 'enum',
    },
    transparent: ['namespace_definition', 'compound_statement'],
    members: ['class_declaration', 'interface_declaration', 'trait_declaration'],
    methods: ['method_declaration'],
    importOf: (n) => (n.type === 'namespace_use_declaration' ? stripWords(n.text) : undefined),
    isPublic: (n) => !hasModifier(n, 'private') && !hasModifier(n, 'protected'),
  },
  bash: {
    kinds: { function_definition: 'function' },
    transparent: [],
    members: [],
    methods: [],
    importOf: (n) => {
      if (n.type !== 'command') return undefined;
      const cmd = n.childForFieldName('name')?.text;
      if (cmd !== 'source' && cmd !== '.') return undefined;
      return n.childrenForFieldName('argument')[0]?.text.replace(/^["']|["']$/g, '') ?? null;
    },
    isPublic: () => true,
  },
};

export function outlineGeneric(language: string, root: SyntaxNode, out: OutlineCollector): void {
  const rules = RULES[language];
  if (rules) walk(root, rules, out, 0);
}

function walk(parent: SyntaxNode, rules: Rules, out: OutlineCollector, depth: number): void {
  if (depth > 8) return;
  for (const node of parent.namedChildren) {
    if (!node) continue;
    const spec = rules.importOf(node);
    if (spec !== undefined) {
      out.addImport(spec);
      if (!rules.kinds[node.type]) continue; // a Rust `mod a;` is an import and a declaration
    }
    const namespace = rules.namespaceOf?.(node);
    if (namespace) out.addNamespace(namespace);
    const kind = rules.kinds[node.type];
    const body = node.childForFieldName('body');
    if (kind) declare(node, kind, out);
    if (rules.members.includes(node.type) && body && (depth === 0 || rules.isPublic(node))) {
      for (const m of body.namedChildren) if (m && rules.methods.includes(m.type) && rules.isPublic(m)) declare(m, 'method', out);
    }
    if (rules.transparent.includes(node.type)) walk(body ?? node, rules, out, depth + 1);
  }
}

function declare(node: SyntaxNode, kind: string, out: OutlineCollector): void {
  const name = nameOf(node);
  if (kind === 'declaration' && !node.descendantsOfType('function_declarator').length) return; // C/C++: only prototypes, not every global
  if (node.type === 'impl_item') {
    out.add(kind, node.childForFieldName('type')?.text, node, node.childForFieldName('body'));
    return;
  }
  out.add(kind, name, node, node.childForFieldName('body'));
}

/** The names of the inline modules (`mod a { … }`) a Rust node sits in, outermost first. */
function inlineModules(n: SyntaxNode): string[] {
  const names: string[] = [];
  for (let p = n.parent; p; p = p.parent) if (p.type === 'mod_item') names.unshift(p.childForFieldName('name')?.text ?? '');
  return names;
}

/** The `#[path = "x.rs"]` on a Rust `mod x;` (a file relative to the declaring file's directory), if any. */
function pathAttribute(n: SyntaxNode): string | undefined {
  for (let p = n.previousNamedSibling; p?.type === 'attribute_item'; p = p.previousNamedSibling) {
    const m = /^#\[\s*path\s*=\s*"([^"\\]+)"\s*\]$/.exec(p.text);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * A Rust `use` path inside inline modules, made relative to the file's own module: each leading
 * `super::` leaves one inline module (`mod tests { use super::*; }` is the file's module), and
 * `self::` is the innermost one. Other paths (`crate::…`, a crate name) are kept.
 */
function rustUse(path: string, inline: readonly string[]): string {
  if (!inline.length) return path;
  const supers = /^(?:super::)*/.exec(path)![0].length / 'super::'.length;
  if (supers === 0 && !path.startsWith('self::')) return path;
  const rest = supers ? path.slice(supers * 'super::'.length) : path.slice('self::'.length);
  const up = inline.length - supers;
  return (up >= 0 ? ['self', ...inline.slice(0, up), rest] : [...Array<string>(-up).fill('super'), rest]).filter(Boolean).join('::');
}

/** The `name` field, else the innermost declarator's (C/C++ functions and prototypes). */
function nameOf(node: SyntaxNode): string | null {
  const name = node.childForFieldName('name');
  if (name) return name.text;
  let d = node.childForFieldName('declarator');
  while (d?.childForFieldName('declarator')) d = d.childForFieldName('declarator');
  return d?.text ?? null;
}
