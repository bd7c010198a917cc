import { describe, expect, it } from 'vitest';
import {
  defaultBatchMaxTokens,
  defaultSyncMaxTokens,
  MODELS,
  OUTPUT_300K_BETA,
  planOutput,
  pricesOf,
  resolveModel,
} from '../../src/models/models.js';
import { defaultConfig } from '../../src/config/schema.js';
import { HarnessError } from '../../src/shared/errors.js';

describe('models table', () => {
  it('has one row per model the reference names, with unique ids', () => {
    const ids = MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['claude-opus-4-8', 'claude-opus-4-7', 'claude-opus-4-6', 'claude-sonnet-4-6', 'claude-haiku-4-5']) {
      expect(ids).toContain(id);
    }
  });

  it('gives the beta only to the models that support it', () => {
    const supporting = MODELS.filter((m) => m.extendedMaxOutput !== null)
      .map((m) => m.id)
      .sort();
    expect(supporting).toEqual(['claude-opus-4-6', 'claude-opus-4-7', 'claude-opus-4-8', 'claude-sonnet-4-6']);
  });

  it('adds the 300K beta above the standard ceiling on batches', () => {
    const opus = resolveModel('claude-opus-4-8');
    expect(planOutput(opus, 128_000, 'batch').betas).toEqual([]);
    expect(planOutput(opus, 128_001, 'batch').betas).toEqual([OUTPUT_300K_BETA]);
    expect(planOutput(opus, 300_000, 'batch').betas).toEqual([OUTPUT_300K_BETA]);
  });

  it('rejects max_tokens above 300K, the beta on Haiku, and large sync calls (exit 2)', () => {
    const opus = resolveModel('claude-opus-4-8');
    const haiku = resolveModel('claude-haiku-4-5');
    for (const f of [
      () => planOutput(opus, 300_001, 'batch', 'harness.config.ts'),
      () => planOutput(haiku, 64_001, 'batch'),
      () => planOutput(opus, 128_001, 'sync'),
      () => planOutput(opus, 0, 'batch'),
    ]) {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(HarnessError);
        expect((e as HarnessError).exitCode).toBe(2);
      }
    }
    expect(() => planOutput(opus, 300_001, 'batch', 'harness.config.ts')).toThrow(/300000/);
    expect(() => planOutput(haiku, 64_001, 'batch')).toThrow(/does not support/);
  });

  it('applies config overrides and accepts a fully described unknown model', () => {
    expect(resolveModel('claude-sonnet-4-6', { 'claude-sonnet-4-6': { prices: { input: 1.5, output: 7.5 } } }).prices).toEqual({
      input: 1.5,
      output: 7.5,
    });
    const custom = resolveModel('claude-opus-5-5', {
      'claude-opus-5-5': { contextWindow: 1_000_000, maxOutput: 128_000, extendedMaxOutput: 300_000, prices: { input: 5, output: 25 } },
    });
    expect(planOutput(custom, 200_000, 'batch').betas).toEqual([OUTPUT_300K_BETA]);
    expect(() => resolveModel('claude-opus-5-5')).toThrow(/no source we have gives the figures of "claude-opus-5-5"/);
    expect(() => resolveModel('claude-nope-1')).toThrow(/unknown model "claude-nope-1"/);
    expect(resolveModel('claude-haiku-4-5-20251001').id).toBe('claude-haiku-4-5');
  });

  it('refuses to price a model with no known prices', () => {
    expect(() => pricesOf(resolveModel('tiny', { tiny: { contextWindow: 1000, maxOutput: 100 } }))).toThrow(/no prices/);
  });

  it('default output ceilings are ones every model accepts: the beta ceiling for batches where it applies, the standard one otherwise', () => {
    for (const model of MODELS) {
      expect(() => planOutput(model, defaultBatchMaxTokens(model), 'batch'), model.id).not.toThrow();
      expect(() => planOutput(model, defaultSyncMaxTokens(model), 'sync'), model.id).not.toThrow();
      expect(defaultBatchMaxTokens(model)).toBe(model.extendedMaxOutput ?? model.maxOutput);
      expect(defaultSyncMaxTokens(model)).toBe(model.maxOutput);
    }
    expect(planOutput(resolveModel('claude-opus-4-8'), defaultBatchMaxTokens(resolveModel('claude-opus-4-8')), 'batch').betas).toEqual([
      OUTPUT_300K_BETA,
    ]);
  });

  it('holds the sourced figures (official pages; issue 17 for the newer models)', () => {
    const row = (id: string) => {
      const m = resolveModel(id);
      return [m.contextWindow, m.maxOutput, m.extendedMaxOutput, m.output300k, m.prices?.input, m.prices?.output];
    };
    expect(row('claude-opus-4-8')).toEqual([1_000_000, 128_000, 300_000, 'yes', 5, 25]);
    expect(row('claude-opus-4-7')).toEqual([1_000_000, 128_000, 300_000, 'yes', 5, 25]);
    expect(row('claude-opus-4-6')).toEqual([1_000_000, 128_000, 300_000, 'yes', 5, 25]);
    expect(row('claude-sonnet-4-6')).toEqual([1_000_000, 128_000, 300_000, 'yes', 3, 15]);
    expect(row('claude-haiku-4-5')).toEqual([200_000, 64_000, null, 'no', 1, 5]);
    expect(row('claude-fable-5')).toEqual([1_000_000, 128_000, null, 'no', 10, 50]);
    expect(row('claude-mythos-5')).toEqual([1_000_000, 128_000, null, 'no', 10, 50]);
    expect(row('claude-opus-5')).toEqual([1_000_000, 128_000, null, 'unknown', 5, 25]);
    expect(row('claude-sonnet-5')).toEqual([1_000_000, 128_000, null, 'unknown', 2, 10]);
  });

  it('beta support no source states is unknown: the harness says so and sends the beta only when the config sets extendedMaxOutput', () => {
    const opus5 = resolveModel('claude-opus-5');
    expect(planOutput(opus5, 128_000, 'batch').betas).toEqual([]);
    expect(() => planOutput(opus5, 200_000, 'batch')).toThrow(/no source states whether Claude Opus 5 takes the output-300k-2026-03-24 beta/);
    try {
      planOutput(opus5, 200_000, 'batch');
    } catch (e) {
      expect((e as HarnessError).hint).toMatch(/models\["claude-opus-5"\]\.extendedMaxOutput: 300000/);
    }
    const told = resolveModel('claude-opus-5', { 'claude-opus-5': { extendedMaxOutput: 300_000 } });
    expect(told.output300k).toBe('yes');
    expect(planOutput(told, 200_000, 'batch').betas).toEqual([OUTPUT_300K_BETA]);
    expect(resolveModel('claude-opus-5', { 'claude-opus-5': { extendedMaxOutput: null } }).output300k).toBe('no');
  });

  it('the default model is the newest that a source says takes the 300K beta, and its default batch max_tokens is the beta ceiling', () => {
    const withBeta = MODELS.filter((m) => m.output300k === 'yes').map((m) => m.id);
    expect(withBeta[0]).toBe('claude-opus-4-8');
    expect(defaultBatchMaxTokens(resolveModel('claude-opus-4-8'))).toBe(300_000);
    expect([defaultConfig.model, defaultConfig.maxTokens]).toEqual(['claude-opus-4-8', 300_000]);
  });
});
