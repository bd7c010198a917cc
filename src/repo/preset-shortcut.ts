/**
 * Which files secretlint's preset needs to see (secrets.ts): every rule of the preset needs a
 * literal marker in a file to report anything in it (secret-rules.ts `MARKERS`, read from the exact
 * preset version and rule set in `VERIFIED_PRESET`), but for the gcp rule, which reads a `.p12`
 * whatever it holds and parses a `.json`. A file with no marker and neither of those is not handed
 * to secretlint. Any other preset version turns the shortcut off: every file goes to secretlint.
 */
import { createRequire } from 'node:module';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { ALWAYS_LINTED_EXTENSIONS, JSON_EXTENSION, MARKERS, MARKERS_ANY_CASE, VERIFIED_PRESET } from './secret-rules.js';

/** The preset's version in node_modules (undefined when it cannot be read), read once. */
export const PRESET_VERSION = ((): string | undefined => {
  try {
    return (createRequire(import.meta.url)('@secretlint/secretlint-rule-preset-recommend/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
})();

const presetRuleIds = (): string[] => recommendedPreset.rules.map((r) => r.meta.id).sort();

/** True when the preset in node_modules is the one the markers were verified against. */
export const SHORTCUT_ENABLED =
  PRESET_VERSION === VERIFIED_PRESET.version && JSON.stringify(presetRuleIds()) === JSON.stringify(VERIFIED_PRESET.rules);

/** False only when no rule of the preset can report anything in this file. */
export function mayMatch(path: string, content: string): boolean {
  return lintedWithoutMarker({ path, content }, (ascii) => content.includes(ascii)) || MARKERS.test(content) || MARKERS_ANY_CASE.test(content);
}

/**
 * Whether a file goes to secretlint even when it holds no marker: every file when the shortcut is
 * off; a `.p12` always; a `.json` when the gcp rule may report it. That rule parses the file and
 * reports an object with `private_key_id` and a `private_key` that reads `…PRIVATE KEY`; with no
 * marker in the source that text can only come from `\u` escapes. So a `.json` goes when it holds
 * `\u`, parses, and has both keys with `PRIVATE KEY` in the value as the rule reads it (as a
 * string): more than the rule reports, never less. `holds` says whether the file holds an ASCII
 * text (the screen looks in its bytes): the content is read only for a `.json` that holds `\\u` (a
 * scanned file decodes it when first read: framed-text.ts).
 */
export function lintedWithoutMarker(file: { readonly path: string; readonly content: string }, holds: (ascii: string) => boolean): boolean {
  if (!SHORTCUT_ENABLED) return true;
  const ext = extOf(file.path).toLowerCase();
  if (ALWAYS_LINTED_EXTENSIONS.includes(ext)) return true;
  if (ext !== JSON_EXTENSION || !holds('\\u')) return false;
  try {
    const parsed = JSON.parse(file.content) as unknown;
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      'private_key_id' in parsed &&
      'private_key' in parsed &&
      String(parsed.private_key).includes('PRIVATE KEY')
    );
  } catch {
    return false; // the rule's parse fails as well: it reports nothing
  }
}

/** A path's extension with its dot (`.json`), as secretlint is given it; '' when there is none. */
export function extOf(p: string): string {
  const base = p.slice(p.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}
