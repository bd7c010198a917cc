/**
 * The section markers `<<<FILE path>>>` and `<<<END path>>>` (docs/sections.md): a marker is a
 * whole line with no leading whitespace; trailing spaces, tabs and `\r` are ignored and the path
 * text is trimmed. Paths are compared without leading `./`s.
 */
import { stripEnd } from './text-lines.js';

const MARKER = /^<<<(FILE|END)[ \t](.*)>>>$/s;

export interface Marker {
  kind: 'FILE' | 'END';
  /** Trimmed path as written. */
  raw: string;
  /** `raw` without leading `./`: what paths are compared by. */
  key: string;
}

/** What a marker path is compared by: the path without leading `./`s. */
export const pathKey = (p: string): string => p.replace(/^(?:\.\/)+/, '');

/** The marker `line` is, or null when it is not one. */
export function parseMarker(line: string): Marker | null {
  if (!line.startsWith('<<<')) return null;
  const m = MARKER.exec(stripEnd(line));
  const raw = m?.[2]?.trim();
  if (!m || !raw) return null;
  return { kind: m[1] as Marker['kind'], raw, key: pathKey(raw) };
}
