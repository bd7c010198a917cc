/**
 * The scan's one pass over the bytes of the context: their tokens (`estimateTokens` of the text
 * they decode to, counted on the UTF-8 bytes) and, for the secret screen, where its probes are
 * (repo/secret-screen.ts: literals every marker holds). Both run in WebAssembly
 * (token-pass.wat says how): the count looks at 64 bytes at a time with SIMD compares and bit
 * arithmetic, ~0.3 ns a byte, where the table-driven state machine it replaced, in JavaScript,
 * took ~2.2 (one chain of dependent lookups) and had V8 compile it again on each of the scan's
 * threads, more than once as its type feedback grew; the probes are one table lookup a byte for the
 * pairs of bytes they are anchored on, ~0.4 ns, and a check of the probes of each pair found (in
 * JavaScript, that loop was compiled six or seven times a scan).
 * Copying the bytes into the module's memory costs ~0.2 ns a byte.
 *
 * Its count is tokens.ts's rule, and the tests hold it to that (test/shared/token-pass.test.ts).
 */
import { TOKEN_PASS_WASM } from './token-pass-wasm.js';

/** A compiled WebAssembly module (node's `WebAssembly.Module`). */
export interface WasmModule {
  readonly __wasmModule: unique symbol;
}

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

// What of node's global `WebAssembly` this uses (@types/node 20 does not declare it).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { exports: unknown };
};

let compiled: WasmModule | undefined;

/** The pass, compiled once a process (a worker thread is handed the module: its code is shared). */
export function tokenPassModule(): WasmModule {
  compiled ??= new WebAssembly.Module(Buffer.from(TOKEN_PASS_WASM, 'base64'));
  return compiled;
}

export interface TokenPass {
  /**
   * The tokens of `bytes`; with `found` (and a screen), the index in `bytes` of the start of every
   * probe of the screen found there is pushed to it (in the order of the pairs they are anchored on).
   */
  count(bytes: Uint8Array, found: number[] | null): number;
}

/** The secret screen's probes as the pass reads them (repo/secret-screen.ts `probeSet`). */
export interface PassScreen {
  /** The pass's memory from address 0 (the table of pairs, then the probes). */
  memory: Uint8Array;
  /** The most probes the pass may find at one pair of bytes. */
  most: number;
}

/**
 * An instance of the pass, with the screen's probes (null: it looks for none). Self-contained: the
 * scan's worker thread runs its text (repo/scan-worker.ts).
 */
export function tokenPass(module: WasmModule, screen: PassScreen | null): TokenPass {
  // The module's memory: the screen, then the bytes, then room for what is found (i32 each).
  const INPUT = 1 << 17;
  if (screen !== null && screen.memory.length > INPUT) throw new Error('the secret screen does not fit the pass');
  const pass = new WebAssembly.Instance(module).exports as {
    memory: WasmMemory;
    tokens(at: number, length: number): number;
    probes(at: number, length: number, out: number): number;
  };
  let heap = new Uint8Array(pass.memory.buffer);
  if (screen !== null) heap.set(screen.memory, 0);
  const most = screen?.most ?? 0;
  return {
    count(bytes: Uint8Array, found: number[] | null): number {
      const length = bytes.length;
      // The count reads up to 63 bytes past the end (and masks them out); a pair may give `most` probes.
      const out = (INPUT + length + 64 + 3) & ~3;
      const need = out + 4 * most * length;
      if (heap.length < need) {
        pass.memory.grow(Math.ceil((need - heap.length) / 65536));
        heap = new Uint8Array(pass.memory.buffer);
      }
      heap.set(bytes, INPUT);
      const tokens = pass.tokens(INPUT, length);
      if (found !== null && most > 0) {
        const n = pass.probes(INPUT, length, out);
        if (n > 0) for (const at of new Int32Array(pass.memory.buffer, out, n)) found.push(at - INPUT);
      }
      return tokens;
    },
  };
}
