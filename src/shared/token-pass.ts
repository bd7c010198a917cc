/**
 * The scan's one pass over the bytes of the context: their tokens (`estimateTokens` of the text
 * they decode to, counted on the UTF-8 bytes) and, for the secret screen, where the pairs of bytes
 * its probes are anchored on are (repo/secret-screen.ts). Both run in WebAssembly
 * (token-pass.wat says how): the count looks at 64 bytes at a time with SIMD compares and bit
 * arithmetic, ~0.3 ns a byte, where the table-driven state machine it replaced, in JavaScript,
 * took ~2.2 (one chain of dependent lookups) and had V8 compile it again on each of the scan's
 * threads, more than once as its type feedback grew; the pairs are one table lookup a byte, ~0.4 ns.
 * Copying the bytes into the module's memory costs ~0.2 ns a byte.
 *
 * The bytes come from tokens.ts's rule, and the tests hold the two to it (test/shared/token-pass.test.ts).
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
   * The tokens of `bytes`; with `hits`, the index in `bytes` of the second byte of every pair that
   * `pairs` marks is pushed to it (in order; the byte before the first is taken as a line break).
   */
  count(bytes: Uint8Array, hits: number[] | null): number;
}

/**
 * An instance of the pass, with `pairs` (64 KiB: an entry at `first << 8 | second`, non-zero for a
 * pair to find). Self-contained: the scan's worker thread runs its text (repo/scan-worker.ts).
 */
export function tokenPass(module: WasmModule, pairs: Uint8Array): TokenPass {
  // The module's memory: the table of pairs, then the bytes, then up to one hit a byte (i32).
  const INPUT = 1 << 16;
  const pass = new WebAssembly.Instance(module).exports as {
    memory: WasmMemory;
    tokens(at: number, length: number): number;
    pairs(at: number, length: number, out: number): number;
  };
  let heap = new Uint8Array(pass.memory.buffer);
  heap.set(pairs, 0);
  const any = pairs.some((entry) => entry !== 0);
  return {
    count(bytes: Uint8Array, hits: number[] | null): number {
      const length = bytes.length;
      // The count reads up to 63 bytes past the end (and masks them out).
      const out = (INPUT + length + 64 + 3) & ~3;
      const need = out + 4 * length;
      if (heap.length < need) {
        pass.memory.grow(Math.ceil((need - heap.length) / 65536));
        heap = new Uint8Array(pass.memory.buffer);
      }
      heap.set(bytes, INPUT);
      const tokens = pass.tokens(INPUT, length);
      if (hits !== null && any) {
        const n = pass.pairs(INPUT, length, out);
        if (n > 0) for (const at of new Int32Array(pass.memory.buffer, out, n)) hits.push(at - INPUT);
      }
      return tokens;
    },
  };
}
