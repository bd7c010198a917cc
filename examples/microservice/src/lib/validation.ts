/**
 * A small validation kit in the spirit of zod, without the dependency: each validator takes an
 * unknown value and returns either `{ ok: true, value }` or `{ ok: false, issues }`. Models build
 * their `validateX` functions from these.
 */
import { ValidationError } from './errors.js';

export type Issue = { field: string; problem: string };
export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };
export type Validator<T> = (input: unknown, field: string) => Result<T>;

const fail = (field: string, problem: string): Result<never> => ({ ok: false, issues: [{ field, problem }] });

export const string =
  (options: { min?: number; max?: number; pattern?: RegExp; trim?: boolean } = {}): Validator<string> =>
  (input, field) => {
    if (typeof input !== 'string') return fail(field, 'must be a string');
    const value = options.trim === false ? input : input.trim();
    if (options.min !== undefined && value.length < options.min) return fail(field, `must have at least ${options.min} characters`);
    if (options.max !== undefined && value.length > options.max) return fail(field, `must have at most ${options.max} characters`);
    if (options.pattern && !options.pattern.test(value)) return fail(field, `must match ${options.pattern}`);
    return { ok: true, value };
  };

export const email = (): Validator<string> => {
  const base = string({ min: 3, max: 254, pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/ });
  return (input, field) => {
    const r = base(input, field);
    return r.ok ? { ok: true, value: r.value.toLowerCase() } : fail(field, 'must be an email address');
  };
};

export const integer =
  (options: { min?: number; max?: number } = {}): Validator<number> =>
  (input, field) => {
    if (typeof input !== 'number' || !Number.isInteger(input)) return fail(field, 'must be an integer');
    if (options.min !== undefined && input < options.min) return fail(field, `must be at least ${options.min}`);
    if (options.max !== undefined && input > options.max) return fail(field, `must be at most ${options.max}`);
    return { ok: true, value: input };
  };

export const oneOf =
  <const T extends readonly string[]>(values: T): Validator<T[number]> =>
  (input, field) =>
    typeof input === 'string' && (values as readonly string[]).includes(input)
      ? { ok: true, value: input as T[number] }
      : fail(field, `must be one of ${values.join(', ')}`);

export const array =
  <T>(item: Validator<T>, options: { min?: number; max?: number } = {}): Validator<T[]> =>
  (input, field) => {
    if (!Array.isArray(input)) return fail(field, 'must be an array');
    if (options.min !== undefined && input.length < options.min) return fail(field, `must have at least ${options.min} items`);
    if (options.max !== undefined && input.length > options.max) return fail(field, `must have at most ${options.max} items`);
    const out: T[] = [];
    const issues: Issue[] = [];
    input.forEach((element, i) => {
      const r = item(element, `${field}[${i}]`);
      if (r.ok) out.push(r.value);
      else issues.push(...r.issues);
    });
    return issues.length > 0 ? { ok: false, issues } : { ok: true, value: out };
  };

export const optional =
  <T>(inner: Validator<T>): Validator<T | undefined> =>
  (input, field) =>
    input === undefined ? { ok: true, value: undefined } : inner(input, field);

type Shape = Record<string, Validator<unknown>>;
type Infer<S extends Shape> = { [K in keyof S]: S[K] extends Validator<infer T> ? T : never };

/** An object validator: every field validated, every issue collected, unknown keys refused. */
export const object =
  <S extends Shape>(shape: S): Validator<Infer<S>> =>
  (input, field) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail(field || 'body', 'must be an object');
    const issues: Issue[] = [];
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(input)) {
      if (!(key in shape)) issues.push({ field: field ? `${field}.${key}` : key, problem: 'is not a known field' });
    }
    for (const [key, validate] of Object.entries(shape)) {
      const r = validate((input as Record<string, unknown>)[key], field ? `${field}.${key}` : key);
      if (r.ok) {
        if (r.value !== undefined) out[key] = r.value;
      } else issues.push(...r.issues);
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, value: out as Infer<S> };
  };

/** Runs a validator and throws a ValidationError (422) with every issue when it fails. */
export function parse<T>(validator: Validator<T>, input: unknown): T {
  const r = validator(input, '');
  if (!r.ok) throw new ValidationError(r.issues);
  return r.value;
}

/** A partial version of an object validator, for PATCH bodies: every field optional. */
export const partial =
  <S extends Shape>(shape: S): Validator<Partial<Infer<S>>> =>
  (input, field) => {
    const optionalShape: Shape = {};
    for (const [key, validate] of Object.entries(shape)) optionalShape[key] = optional(validate);
    return object(optionalShape)(input, field) as Result<Partial<Infer<S>>>;
  };
