/** The HarnessError a synchronous call throws (fails the test when it throws nothing or something else). */
import { HarnessError } from '../../src/shared/errors.js';

export function caught(fn: () => unknown): HarnessError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a HarnessError');
}
