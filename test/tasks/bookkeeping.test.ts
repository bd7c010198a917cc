import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { descriptionHash, quote, readHarnessComment, renderHarnessComment } from '../../src/tasks/bookkeeping.js';

describe('the harness comment', () => {
  it('renders the canonical form, leaving out null batch and reason', () => {
    expect(renderHarnessComment({ id: 't3', status: 'submitted', attempts: 1, batch: 'msgbatch_01abc', reason: null })).toBe(
      '<!-- harness: id=t3 status=submitted attempts=1 batch=msgbatch_01abc -->',
    );
    expect(renderHarnessComment({ id: 't4', status: 'failed', attempts: 3, batch: null, reason: 'output truncated 3 times' })).toBe(
      '<!-- harness: id=t4 status=failed attempts=3 reason="output truncated 3 times" -->',
    );
    expect(renderHarnessComment({ id: 't5', status: 'pending', attempts: 0, batch: 'a b', reason: '' })).toBe(
      '<!-- harness: id=t5 status=pending attempts=0 batch="a b" reason="" -->',
    );
  });

  it("records desc (the hash of a failed task's description) and reads it back; refuses a desc that is not hex", () => {
    const comment = renderHarnessComment(
      { id: 't4', status: 'failed', attempts: 3, batch: 'msgbatch_1', reason: 'r' },
      { desc: descriptionHash('User model') },
    );
    expect(comment).toBe(`<!-- harness: id=t4 status=failed attempts=3 batch=msgbatch_1 desc=${descriptionHash('User model')} reason="r" -->`);
    expect(readHarnessComment(comment)).toEqual({
      ok: true,
      value: { id: 't4', status: 'failed', attempts: 3, batch: 'msgbatch_1', desc: descriptionHash('User model'), reason: 'r' },
    });
    expect(descriptionHash('User model')).toMatch(/^[0-9a-f]{12}$/);
    expect(descriptionHash('User model')).not.toBe(descriptionHash('User model!'));
    expect(readHarnessComment('<!-- harness: desc=xyz -->')).toEqual({
      ok: false,
      reason: 'bad harness comment: bad desc "xyz" (expected a hex hash)',
    });
  });

  it('reads back what it renders, for any batch and reason', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.nat().map((n) => `t${n}`),
          status: fc.constantFrom('pending' as const, 'submitted' as const, 'done' as const, 'failed' as const),
          attempts: fc.nat(),
          batch: fc.option(fc.string({ unit: 'binary' })),
          reason: fc.option(fc.string({ unit: 'binary' })),
        }),
        (b) => {
          const comment = renderHarnessComment(b);
          expect(comment.slice(4, -3)).not.toMatch(/-->|[<>`\r\n]/);
          const read = readHarnessComment(comment);
          expect(read).toEqual({
            ok: true,
            value: {
              id: b.id,
              status: b.status,
              attempts: b.attempts,
              ...(b.batch === null ? {} : { batch: b.batch }),
              ...(b.reason === null ? {} : { reason: b.reason }),
            },
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('quote() is JSON that never holds <, > or a backtick', () => {
    expect(quote('a<b>`c`"')).toBe('"a\\u003cb\\u003e\\u0060c\\u0060\\""');
    expect(JSON.parse(quote('a<b>`c`"'))).toBe('a<b>`c`"');
  });

  it('tolerates spacing and bare reasons a person may write', () => {
    expect(readHarnessComment('<!--harness:id=t1   status=done\treason=timeout-->')).toEqual({
      ok: true,
      value: { id: 't1', status: 'done', reason: 'timeout' },
    });
    expect(readHarnessComment('<!-- harness: -->')).toEqual({ ok: true, value: {} });
  });
});
