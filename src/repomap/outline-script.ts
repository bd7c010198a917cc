/**
 * Outlines of TypeScript, TSX and JavaScript files: the top-level declarations (exported or not),
 * the public methods and fields of exported classes, CommonJS exports, and every import specifier
 * (`import … from`, `export … from`, `import x = require()`, `require()`, `import()`).
 */
import type { SyntaxNode } from './languages.js';
import { type OutlineCollector, oneLine, stringValue } from './signature.js';

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);
const CLASS_VALUES = new Set(['class', 'class_expression']);

export function outlineScript(root: SyntaxNode, out: OutlineCollector): void {
  for (const node of root.namedChildren) if (node) topLevel(node, node, false, out);
  collectCalls(root, out);
}

/** One top-level statement; `outer` is where its signature starts (`export`, `declare`). */
function topLevel(node: SyntaxNode, outer: SyntaxNode, exported: boolean, out: OutlineCollector): void {
  const name = node.childForFieldName('name')?.text;
  const body = node.childForFieldName('body');
  switch (node.type) {
    case 'import_statement': {
      out.addImport(stringValue(node.childForFieldName('source')));
      for (const c of node.namedChildren) if (c?.type === 'import_require_clause') out.addImport(stringValue(c.childForFieldName('source')));
      return;
    }
    case 'export_statement': {
      const source = node.childForFieldName('source');
      out.addImport(stringValue(source));
      const declaration = node.childForFieldName('declaration');
      if (declaration) {
        topLevel(declaration, outer, true, out);
        return;
      }
      // export { a, b } [from …], export * from …, export default <expression>, export = x
      const value = node.childForFieldName('value');
      const label = value ? 'default' : (exportedNames(node) ?? '*');
      out.addText(source ? 'reexport' : 'export', label, node.text, node.startPosition.row + 1);
      return;
    }
    case 'ambient_declaration': {
      for (const c of node.namedChildren) if (c) topLevel(c, outer, exported, out);
      return;
    }
    case 'function_declaration':
    case 'generator_function_declaration':
    case 'function_signature':
      out.add('function', name, outer, body);
      return;
    case 'class_declaration':
    case 'abstract_class_declaration':
    case 'class': {
      out.add('class', name ?? (exported ? 'default' : null), outer, body);
      if (exported && body) classMembers(body, out);
      return;
    }
    case 'interface_declaration':
      out.add('interface', name, outer, body);
      return;
    case 'type_alias_declaration':
      out.add('type', name, outer, null);
      return;
    case 'enum_declaration':
      out.add('enum', name, outer, body);
      return;
    case 'module':
    case 'internal_module':
      out.add('namespace', name, outer, body);
      return;
    case 'lexical_declaration':
    case 'variable_declaration':
      variables(node, outer, exported || outer.type === 'ambient_declaration', out);
      return;
    case 'expression_statement':
      commonJsExport(node, out);
      return;
  }
}

/** `const a = 1, f = (x: T): U => …`: one declaration per declarator, each with the statement's keyword. */
function variables(node: SyntaxNode, outer: SyntaxNode, exported: boolean, out: OutlineCollector): void {
  const src = out.source;
  const prefix = src.slice(outer.startIndex, node.startIndex) + (node.child(0)?.text ?? '');
  for (const d of node.namedChildren) {
    if (d?.type !== 'variable_declarator') continue;
    const nameNode = d.childForFieldName('name');
    if (!nameNode) continue;
    const value = d.childForFieldName('value');
    const fn = value && FUNCTION_VALUES.has(value.type);
    const stop = fn ? (value.childForFieldName('body') ?? value) : value;
    const head = src.slice(d.startIndex, stop ? stop.startIndex : d.endIndex);
    const tail = fn ? '' : value && CLASS_VALUES.has(value.type) ? ' class' : '';
    const kind = fn ? 'function' : (node.child(0)?.text ?? 'var');
    // A module's private constants are detail; its private functions and everything exported are not.
    if (!exported && !fn && !(value && CLASS_VALUES.has(value.type))) continue;
    out.addText(kind, nameNode.text, `${prefix} ${oneLine(head).replace(/\s*=>?\s*$/, fn ? ' =>' : '')}${tail}`, d.startPosition.row + 1);
  }
}

/** Public methods, fields and signatures in a class body. */
function classMembers(body: SyntaxNode, out: OutlineCollector): void {
  for (const m of body.namedChildren) {
    if (!m) continue;
    const isMethod = m.type === 'method_definition' || m.type === 'method_signature' || m.type === 'abstract_method_signature';
    const isField = m.type === 'public_field_definition' || m.type === 'field_definition';
    if (!isMethod && !isField) continue;
    const nameNode = m.childForFieldName('name') ?? m.childForFieldName('property');
    if (!nameNode || nameNode.type === 'private_property_identifier') continue;
    if (m.namedChildren.some((c) => c?.type === 'accessibility_modifier' && c.text !== 'public')) continue;
    if (isMethod) out.add('method', nameNode.text, m, m.childForFieldName('body'));
    else out.add('field', nameNode.text, m, m.childForFieldName('value'));
  }
}

/** `module.exports = …`, `module.exports.x = …`, `exports.x = …`. */
function commonJsExport(node: SyntaxNode, out: OutlineCollector): void {
  const a = node.namedChild(0);
  if (a?.type !== 'assignment_expression') return;
  const left = a.childForFieldName('left');
  if (left?.type !== 'member_expression') return;
  const target = left.text;
  if (!/^(?:module\.exports|exports)(?:\.[\w$]+)?$/.test(target)) return;
  const right = a.childForFieldName('right');
  const name = target === 'module.exports' ? 'default' : target.slice(target.lastIndexOf('.') + 1);
  let sig = target;
  if (right && FUNCTION_VALUES.has(right.type)) {
    const stop = right.childForFieldName('body') ?? right;
    sig += ` = ${out.source.slice(right.startIndex, stop.startIndex)}`;
  } else if (right && CLASS_VALUES.has(right.type)) {
    sig += ` = ${out.source.slice(right.startIndex, (right.childForFieldName('body') ?? right).startIndex)}`;
  } else if (right?.type === 'object') {
    const keys = right.namedChildren.map((p) => p?.childForFieldName('key')?.text ?? (p?.type === 'shorthand_property_identifier' ? p.text : null));
    sig += ` = { ${keys.filter(Boolean).join(', ')} }`;
  }
  out.addText('export', name, sig, node.startPosition.row + 1);
}

/** The names an `export { a, b as c }` statement exports, or null. */
function exportedNames(node: SyntaxNode): string | null {
  const clause = node.namedChildren.find((c) => c?.type === 'export_clause');
  if (!clause) return null;
  const names = clause.namedChildren.map((s) => (s?.childForFieldName('alias') ?? s?.childForFieldName('name'))?.text).filter(Boolean);
  return names.length ? names.join(', ') : null;
}

/** `require('x')` and `import('x')` anywhere in the file (string arguments only). */
function collectCalls(root: SyntaxNode, out: OutlineCollector): void {
  // Cheap pre-check: most files have neither, and a descendant walk is the costly part.
  if (!/\brequire\s*\(|\bimport\s*\(/.test(out.source)) return;
  for (const call of root.descendantsOfType('call_expression')) {
    const fn = call?.childForFieldName('function');
    if (!call || !fn || (fn.type !== 'import' && !(fn.type === 'identifier' && fn.text === 'require'))) continue;
    const arg = call.childForFieldName('arguments')?.namedChild(0);
    if (arg?.type === 'string') out.addImport(stringValue(arg));
  }
}
