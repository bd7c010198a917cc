/**
 * The default offline model. It reads the last user message:
 * - a line exactly `## Files to write` followed by ``- `PATH` — DESCRIPTION`` items: one short line
 *   of prose, then for each path in order `<<<FILE path>>>\n` + placeholderFile(path, description)
 *   + `<<<END path>>>\n` (the section format of docs/sections.md); each file names the earlier
 *   stages' files the request carried (prompt.ts `earlierStageFiles`), when it carried any;
 * - a line exactly `## Spec` (the planner prompt): a task list (see planner.ts);
 * - anything else: one placeholder sentence.
 * The emulator truncates the text to max_tokens and computes usage; the responder only writes.
 */
import { type PlaceholderOptions, placeholderFile } from './placeholder.js';
import { planFromPrompt } from './planner.js';
import { allText, earlierStageFiles, filesToWrite, lastUserIndex, lastUserText, type FileRequest } from './prompt.js';
import type { Responder } from './types.js';

export const PLACEHOLDER_REPLY = 'This is a placeholder reply from the codegen-harness emulator (offline): no model was called.';

export function sectionsFor(files: readonly FileRequest[], options: PlaceholderOptions = {}): string {
  const n = files.length;
  let out = `Placeholder output from the codegen-harness emulator (offline) for ${n} file${n === 1 ? '' : 's'}.\n`;
  for (const f of files) {
    out += `<<<FILE ${f.path}>>>\n${placeholderFile(f.path, f.description, options)}<<<END ${f.path}>>>\n`;
  }
  return out;
}

export function placeholderResponder(options: { fileTokens?: number } = {}): Responder {
  return ({ params }) => {
    const text = lastUserText(params);
    const files = filesToWrite(text);
    if (files) return sectionsFor(files, { ...options, earlier: earlierStageFiles(params) });
    const last = lastUserIndex(params);
    const others = allText({ ...params, messages: params.messages.filter((_, i) => i !== last) });
    const plan = planFromPrompt(text, others);
    if (plan !== null) return plan;
    return PLACEHOLDER_REPLY;
  };
}

/** A file the offline model answers with a defect until a request quotes its diagnostic. */
export interface DefectSpec {
  /** The file's path, as the request lists it. */
  path: string;
  /** The line the project's check prints for the defect (say `src/a.ts(3,14): error TS2322`): once a request contains it, the file comes back clean. */
  diagnostic: string;
  /** The line added at the end of the file while it is defective (default: a line no common language parses). */
  defect?: string;
}

/** The defect line `defectResponder` adds when a spec gives none. */
export const defaultDefect = (filePath: string): string => `DEFECT written on purpose by the codegen-harness emulator in ${filePath}`;

/**
 * The placeholder responder, except that each spec's file gets its defect line (before its END
 * marker) in every answer whose request does not contain the spec's diagnostic anywhere (system,
 * cached blocks, the request itself); once a request quotes it, the clean placeholder. For a repair
 * round offline: the check fails on the defect, the repair request quotes its output, the repair passes.
 */
export function defectResponder(specs: DefectSpec | readonly DefectSpec[], options: { fileTokens?: number } = {}): Responder {
  const all = Array.isArray(specs) ? (specs as readonly DefectSpec[]) : [specs as DefectSpec];
  const inner = placeholderResponder(options);
  return async (req) => {
    let out = await inner(req);
    const text = allText(req.params);
    for (const spec of all) {
      if (text.includes(spec.diagnostic)) continue;
      const end = `<<<END ${spec.path}>>>\n`;
      const at = out.indexOf(end);
      if (at < 0 || !out.slice(0, at).includes(`<<<FILE ${spec.path}>>>\n`)) continue;
      out = `${out.slice(0, at)}${spec.defect ?? defaultDefect(spec.path)}\n${out.slice(at)}`;
    }
    return out;
  };
}
