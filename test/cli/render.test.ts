/** Colour choice from the environment, tables measured by visible width, plurals. */
import { describe, expect, it } from 'vitest';
import { colorsFor, plural, table, visibleWidth } from '../../src/cli/render.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };
const coloured = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv) => colorsFor(stream, env).red('x') !== 'x';

describe('colour', () => {
  it('FORCE_COLOR=0 (or false) turns it off on a terminal; FORCE_COLOR=1+ turns it on in a pipe; NO_COLOR wins', () => {
    expect(coloured(tty, {})).toBe(true);
    expect(coloured(pipe, {})).toBe(false);
    expect(coloured(tty, { NO_COLOR: '1' })).toBe(false);
    expect(coloured(tty, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(coloured(tty, { NO_COLOR: '' })).toBe(true); // empty means unset (no-color.org)
    expect(coloured(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(coloured(tty, { FORCE_COLOR: 'false' })).toBe(false);
    expect(coloured(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(coloured(pipe, { FORCE_COLOR: '3' })).toBe(true);
  });

  it('TERM=dumb turns it off', () => {
    expect(coloured(tty, { TERM: 'dumb' })).toBe(false);
    expect(coloured(tty, { TERM: 'xterm-256color' })).toBe(true);
  });
});

describe('table', () => {
  it('aligns columns by what shows, not by the colour codes in a cell', () => {
    const c = colorsFor(tty, {});
    const out = table(
      [
        [`${c.green('✔')} t1`, 'src/a.ts', 'done'],
        [`${c.dim('·')} t10`, 'src/longer/b.ts', 'pending'],
      ],
      ['id', 'path', 'status'],
    );
    const lines = out.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
    const col = (line: string, text: string) => line.indexOf(text);
    expect(col(lines[1]!, 'src/a.ts')).toBe(col(lines[0]!, 'path'));
    expect(col(lines[2]!, 'src/longer/b.ts')).toBe(col(lines[0]!, 'path'));
    expect(col(lines[1]!, 'done')).toBe(col(lines[0]!, 'status'));
    expect(col(lines[2]!, 'pending')).toBe(col(lines[0]!, 'status'));
  });

  it('visible width ignores escape sequences and counts wide characters twice', () => {
    expect(visibleWidth('\x1b[31mred\x1b[39m')).toBe(3);
    expect(visibleWidth('⧗ t1')).toBe(4);
    expect(visibleWidth('日本')).toBe(4);
    expect(visibleWidth('é')).toBe(1);
  });
});

describe('plural', () => {
  it('one and many', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(2, 'file')).toBe('2 files');
    expect(plural(0, 'request')).toBe('0 requests');
    expect(plural(1, 'batch', 'batches')).toBe('1 batch');
    expect(plural(3, 'batch', 'batches')).toBe('3 batches');
  });
});
