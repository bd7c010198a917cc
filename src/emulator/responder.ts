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
