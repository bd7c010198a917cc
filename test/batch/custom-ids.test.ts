/**
 * Every custom_id of a batch ends in its intent's nonce (`<id>_<nonce>`): still a valid, unique
 * custom_id, and the packed requests (the journal's map) renamed exactly as the requests sent.
 */
import { describe, expect, it } from 'vitest';
import { newNonce, withNonce } from '../../src/pipeline/submit.js';
import type { BatchRequest } from '../../src/requests/build.js';
import type { PackedRequest } from '../../src/requests/pack.js';

const PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

function batch(ids: string[]): { requests: BatchRequest[]; packed: PackedRequest[] } {
  return {
    requests: ids.map((id) => ({ custom_id: id, params: { model: 'm', max_tokens: 1, system: '', messages: [] } }) as unknown as BatchRequest),
    packed: [...ids].reverse().map((id) => ({ customId: id, tasks: [], expectedOutputTokens: 1 })),
  };
}

describe('custom_ids with the intent nonce', () => {
  it('end in _<nonce>, match the API pattern, stay unique, and the packed requests are renamed alike', () => {
    const nonce = newNonce();
    expect(nonce).toMatch(/^[0-9a-f]{12}$/);
    expect(newNonce()).not.toBe(nonce);
    const long = 'x'.repeat(64);
    const ids = ['t1-3', 't4-1', 'cache-warmup', long, `${long.slice(0, 60)}abcd`, 'a.b/c'];
    const { requests, packed } = withNonce(batch(ids).requests, batch(ids).packed, nonce);
    const sent = requests.map((r) => r.custom_id);
    for (const id of sent) {
      expect(id).toMatch(PATTERN);
      expect(id.endsWith(`_${nonce}`)).toBe(true);
    }
    expect(new Set(sent).size).toBe(ids.length);
    expect(sent.slice(0, 3)).toEqual([`t1-3_${nonce}`, `t4-1_${nonce}`, `cache-warmup_${nonce}`]);
    expect(sent[5]).toBe(`a_b_c_${nonce}`);
    // Two long ids cut to the same base are told apart.
    expect(sent[3]).not.toBe(sent[4]);
    // The journal maps each request by the id it was sent with.
    expect(packed.map((p) => p.customId).sort()).toEqual([...sent].sort());
    expect(packed[packed.length - 1]!.customId).toBe(sent[0]);
    // The params are sent as planned.
    expect(requests.map((r) => r.params)).toEqual(batch(ids).requests.map((r) => r.params));
  });
});
