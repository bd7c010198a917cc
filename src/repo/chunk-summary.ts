/**
 * What the scan computes over the context's bytes besides hashing them: the token count of every
 * chunk, the secret screen's flags of every file and the lines that hold the harness's own markers
 * (secret-screen.ts).
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
import { textOf } from './framed-text.js';
import { type flagSpans, probeSet, type Screen, type ScreenSources, screenSources } from './secret-screen.js';

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
  /**
   * The lines in which the screen saw a marker of the harness's own rules or the key, three numbers
   * each: the file (its index in the range), the line's start and end in the file's bytes (without
   * its line break), in order; null without a screen (every check then looks at whole files).
   */
  ownLines: Int32Array | null;
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
      const ownLines: number[] = [];
      const lines: number[] = [];
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
          lines.length = 0;
          flags.set(
            flag(
              re.own,
              re.lint,
              bytes,
              found,
              from,
              from.map((s, k) => s + range.size[file + k]!),
              lines,
            ),
            file,
          );
          for (let i = 0; i < lines.length; i += 3) {
            const k = lines[i]!;
            ownLines.push(file + k, lines[i + 1]! - from[k]!, lines[i + 2]! - from[k]!);
          }
        }
        file = last;
      }
      return { tokens, flags, ownLines: re === null ? null : Int32Array.from(ownLines) };
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

/** What the screen saw in a range's files, as `findSecretsScreened` (secrets.ts) reads it: each file's own lines decoded when asked for. */
export function screenOf(range: Pick<FramedRange, 'chunks' | 'chunk' | 'byteStart' | 'size'>, summary: RangeSummary): Screen {
  const { flags, ownLines } = summary;
  return {
    bits: (i) => flags[i]!,
    ownLines: (i) => {
      if (ownLines === null) return null;
      const lines: string[] = [];
      const bytes = range.chunks[range.chunk[i]!]!;
      const start = range.byteStart[i]!;
      for (let k = 0; k < ownLines.length; k += 3) {
        if (ownLines[k] === i) lines.push(textOf(bytes.subarray(start + ownLines[k + 1]!, start + ownLines[k + 2]!)));
      }
      return lines;
    },
    holds: (i, ascii) => {
      const start = range.byteStart[i]!;
      return range.chunks[range.chunk[i]!]!.subarray(start, start + range.size[i]!).includes(ascii, 0, 'latin1');
    },
  };
}
