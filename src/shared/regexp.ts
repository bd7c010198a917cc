/** `s` as a RegExp source that matches exactly `s` (every syntax character escaped). The one escaper of the harness. */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
