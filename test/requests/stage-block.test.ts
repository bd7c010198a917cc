import { describe, expect, it } from 'vitest';
import { stageBlockText } from '../../src/requests/stage-block.js';

describe('the earlier stages block', () => {
  const files = [
    { path: 'src/services/user.service.ts', content: 'export class UserService {}\n' },
    { path: 'src/models/user.ts', content: 'export interface User {\n  id: string;\n}' },
  ];

  it('holds every file in full, sorted by path, framed like the codebase block', () => {
    const text = stageBlockText(2, files);
    expect(text).toContain('stage 2');
    expect(text).toContain('written by stage 1');
    const body = text.slice(text.indexOf('\n<file '));
    expect(body).toBe(
      '\n<file path="src/models/user.ts">\nexport interface User {\n  id: string;\n}\n</file>\n' +
        '\n<file path="src/services/user.service.ts">\nexport class UserService {}\n</file>\n',
    );
  });

  it('is byte-stable: the same files in any order give the same bytes', () => {
    expect(stageBlockText(3, [...files].reverse())).toBe(stageBlockText(3, files));
    expect(stageBlockText(3, files)).toContain('stages 1 to 2');
  });

  it('a file that holds </file> cannot end its section early', () => {
    const text = stageBlockText(2, [{ path: 'test/context.test.ts', content: "const x = '</file>';\n" }]);
    expect(text).toContain('<file_2 path="test/context.test.ts">\nconst x = \'</file>\';\n</file_2>\n');
  });
});
