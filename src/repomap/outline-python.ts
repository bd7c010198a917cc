/**
 * Outlines of Python files: top-level functions and classes (decorators left out of the
 * signature), the public methods of top-level classes, public module-level assignments, and the
 * modules every import statement names (nested ones too: `if TYPE_CHECKING:`, `try:`). An import
 * is recorded as the dotted module it names; `from M import n` also records `M.n`, which is a
 * module when `n` is a submodule (resolution keeps the candidates that are files of the repo).
 */
import type { SyntaxNode } from './languages.js';
import type { OutlineCollector } from './signature.js';

export function outlinePython(root: SyntaxNode, out: OutlineCollector): void {
  for (const node of root.namedChildren) if (node) topLevel(node, out);
  if (/\bimport\b/.test(out.source)) for (const i of root.descendantsOfType(['import_statement', 'import_from_statement'])) if (i) imports(i, out);
}

function topLevel(node: SyntaxNode, out: OutlineCollector): void {
  const def = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  if (!def) return;
  const name = def.childForFieldName('name')?.text;
  if (def.type === 'function_definition') {
    out.add('function', name, def, def.childForFieldName('body'));
    return;
  }
  if (def.type === 'class_definition') {
    const body = def.childForFieldName('body');
    out.add('class', name, def, body);
    if (body) for (const m of body.namedChildren) method(m, out);
    return;
  }
  if (def.type === 'expression_statement') {
    const a = def.namedChild(0);
    if (a?.type !== 'assignment') return;
    const left = a.childForFieldName('left');
    if (left?.type !== 'identifier' || left.text.startsWith('_')) return;
    out.add('variable', left.text, def, a.childForFieldName('right'));
  }
}

function method(node: SyntaxNode | null, out: OutlineCollector): void {
  const def = node?.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  if (def?.type !== 'function_definition') return;
  const name = def.childForFieldName('name')?.text;
  if (!name || (name.startsWith('_') && name !== '__init__' && name !== '__call__')) return;
  out.add('method', name, def, def.childForFieldName('body'));
}

function imports(node: SyntaxNode, out: OutlineCollector): void {
  if (node.type === 'import_statement') {
    for (const n of node.childrenForFieldName('name')) out.addImport(moduleName(n));
    return;
  }
  const from = node.childForFieldName('module_name')?.text;
  if (!from) return;
  out.addImport(from);
  for (const n of node.childrenForFieldName('name')) {
    const name = moduleName(n);
    if (name) out.addImport(from.endsWith('.') ? from + name : `${from}.${name}`);
  }
}

/** `a.b` of `a.b` or `a.b as c`. */
function moduleName(n: SyntaxNode | null): string | null {
  if (!n) return null;
  if (n.type === 'aliased_import') return n.childForFieldName('name')?.text ?? null;
  return n.type === 'dotted_name' ? n.text : null;
}
