/**
 * The emulator's JSON records, written with the one atomic write of the package
 * (src/shared/atomic-write.ts). That module is plain node:fs and imports nothing of the harness
 * (no models table, tokenizer or renderer), so sharing it does not make the test double agree with
 * the client by construction.
 */
import { writeFileAtomic } from '../shared/atomic-write.js';

export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(value)}\n`);
}
