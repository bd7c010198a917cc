/**
 * What the scan computes over the context's bytes besides decoding and hashing them: the token
 * count of every chunk and the secret screen's flags of every file (secret-screen.ts).
 * `chunkSummarizer` is self-contained: the scan's worker thread (scan-worker.ts) runs its text, and
 * this thread runs the same function when the scan has no worker (a small codebase).
 *
 * The screen in two steps: the pass that counts the tokens also finds the probes (shared/token-pass.ts),
 * and `flagSpans` runs the screen's two regexps (the preset's markers; the harness's own and the
 * key) over the lines that hold a probe only, read as Latin-1 (one character a byte: `screenSources`
 * with `bytes` says why it finds the same markers there). The same files, with the same bits, as
 * the regexps over every byte would flag, at a fraction of their cost (a regexp of some twenty
 * alternatives costs 2 to 3 ns a byte).
 */
import { type PassScreen, type tokenPass, tokenPassModule, type WasmModule } from '../shared/token-pass.js';
import type { FramedRange } from './frame-range.js';
import { type flagSpans, probeSet, type ScreenSources, screenSources } from './secret-screen.js';

export interface SummarizerData {
  /** The pass over the bytes (shared/token-pass.ts), compiled. */
  module: WasmModule;
  /** The screen's two sources over Latin-1 text (`screenSources`), or null: every file is flagged with both bits. */
  screen: ScreenSources | null;
  probes: PassScreen;
}

/** Of one range: the tokens of its chunks' bytes, and for each of its files what the screen found in it (bits: secret-screen.ts SCREEN_OWN, SCREEN_LINT). */
export interface RangeSummary {
  tokens: number;
  flags: Uint8Array;
}

export type Summarizer = ReturnType<typeof chunkSummarizer>;

/** The work over the chunks, self-contained (the worker runs its text; it may use nothing but its arguments). */
export function chunkSummarizer(passOf: typeof tokenPass, flag: typeof flagSpans, data: SummarizerData) {
  const re = data.screen === null ? null : { own: new RegExp(data.screen.own), lint: new RegExp(data.screen.lint) };
  // Without a screen every file is flagged: the pass looks for no probe.
  const pass = passOf(data.module, re === null ? null : data.probes);
  const found: number[] = [];
  return {
    /** A range's tokens and flags (its files sorted by chunk, as the read frames them). */
    range(range: Pick<FramedRange, 'chunks' | 'chunk' | 'byteStart' | 'size'>): RangeSummary {
      let tokens = 0;
      const flags = new Uint8Array(range.chunk.length);
      let file = 0;
      for (let c = 0; c < range.chunks.length; c++) {
        const bytes = range.chunks[c]!;
        found.length = 0;
        tokens += pass.count(bytes, re === null ? null : found);
        let last = file;
        while (last < range.chunk.length && range.chunk[last] === c) last++;
        if (last === file) continue;
        if (re === null) flags.fill(3, file, last);
        else if (found.length > 0) {
          const from = range.byteStart.subarray(file, last);
          flags.set(
            flag(
              re.own,
              re.lint,
              bytes,
              found,
              from,
              from.map((s, k) => s + range.size[file + k]!),
            ),
            file,
          );
        }
        file = last;
      }
      return { tokens, flags };
    },
  };
}

export function summarizerData(envKey: string): SummarizerData {
  return {
    module: tokenPassModule(),
    screen: screenSources(envKey, { bytes: true }),
    probes: probeSet(Buffer.from(envKey, 'utf8').toString('latin1')),
  };
}
