/**
 * Outlines of Go files: functions, methods (with their receiver), types, constants and variables
 * at the top level, and the import paths. Also `go.mod`: its module path, which is how a Go import
 * path is mapped to a directory of the repo (rank-files resolution).
 */
import type { SyntaxNode } from './languages.js';
import { type OutlineCollector, stringValue } from './signature.js';

export function outlineGo(root: SyntaxNode, out: OutlineCollector): void {
  for (const node of root.namedChildren) {
    if (!node) continue;
    const name = node.childForFieldName('name')?.text;
    switch (node.type) {
      case 'import_declaration':
        for (const spec of node.descendantsOfType('import_spec')) out.addImport(stringValue(spec?.childForFieldName('path')));
        break;
      case 'function_declaration':
        out.add('func', name, node, node.childForFieldName('body'));
        break;
      case 'method_declaration':
        out.add('method', name, node, node.childForFieldName('body'));
        break;
      case 'type_declaration':
        for (const spec of node.namedChildren) {
          if (spec?.type !== 'type_spec' && spec?.type !== 'type_alias') continue;
          const type = spec.childForFieldName('type');
          const composite = type?.type === 'struct_type' || type?.type === 'interface_type';
          const sig = composite ? `${out.source.slice(spec.startIndex, type.startIndex)}${type.type.slice(0, -5)}` : spec.text;
          out.addText('type', spec.childForFieldName('name')?.text ?? '', `type ${sig}`, spec.startPosition.row + 1);
        }
        break;
      case 'const_declaration':
      case 'var_declaration': {
        const keyword = node.type === 'const_declaration' ? 'const' : 'var';
        for (const spec of node.descendantsOfType(['const_spec', 'var_spec'])) {
          if (!spec) continue;
          const value = spec.childForFieldName('value');
          const head = out.source.slice(spec.startIndex, value ? value.startIndex : spec.endIndex).replace(/\s*=\s*$/, '');
          for (const n of spec.childrenForFieldName('name')) if (n) out.addText(keyword, n.text, `${keyword} ${head}`, spec.startPosition.row + 1);
        }
        break;
      }
    }
  }
}

/** `module example.com/m` of a go.mod file (no grammar needed: one directive), or null. */
export function goModulePath(content: string): string | null {
  const m = /^\s*module\s+("?)([^\s"]+)\1\s*(?:\/\/.*)?$/m.exec(content);
  return m ? m[2]! : null;
}
