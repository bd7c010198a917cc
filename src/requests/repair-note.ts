/**
 * The note a repair request carries for a file the verify command failed on (issue 15 item 4):
 * the diagnostic lines that name it, its current content, and the instruction to fix them without
 * breaking what the plan promises. It goes in the request's uncached part, after the file list
 * (like the ambiguous-answer note), so the cached prefix of a repair round is the same as any other.
 * The diagnostics are bounded here again (the verify step bounds and redacts them already).
 */
import { codeSpan } from '../tasks/render-task-list.js';

/** What a repair request says about one file. */
export interface RepairInput {
  /** The file as it is on disk now; null when it is not there. */
  content: string | null;
  /** The verify command's output lines that name the file. */
  diagnostics: readonly string[];
}

/** At most this many diagnostic lines per file, each cut to MAX_LINE_CHARS, MAX_DIAGNOSTIC_CHARS in all. */
const MAX_LINES = 50;
const MAX_LINE_CHARS = 400;
const MAX_DIAGNOSTIC_CHARS = 8_000;

/** The diagnostic lines as they are sent: one line each, bounded, with a line saying how many were left out. */
export function boundDiagnostics(lines: readonly string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const raw of lines) {
    const line = raw.replace(/[\r\n]+/g, ' ');
    const cut = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)} …` : line;
    if (out.length >= MAX_LINES || chars + cut.length > MAX_DIAGNOSTIC_CHARS) break;
    out.push(cut);
    chars += cut.length + 1;
  }
  const left = lines.length - out.length;
  if (left > 0) out.push(`(${left} more line${left === 1 ? '' : 's'} left out)`);
  return out;
}

/** A fenced block whose fence is longer than any backtick run of the content. */
function fence(content: string, info = ''): string {
  let ticks = '```';
  while (content.includes(ticks)) ticks += '`';
  return `${ticks}${info}\n${content}${content.endsWith('\n') || content === '' ? '' : '\n'}${ticks}`;
}

/** The repair note for `taskPath` (after the file list of its request). */
export function repairNote(taskPath: string, repair: RepairInput): string {
  const diagnostics = boundDiagnostics(repair.diagnostics);
  const current = repair.content === null ? '(the file is not on disk)' : fence(repair.content);
  return (
    `Repair of ${codeSpan(taskPath)}: the project's check failed on this file. ` +
    'Fix what these lines of its output report, and write the whole file again (not a diff), ' +
    'without breaking what the plan promises: keep the exports, names and signatures the plan and the other files rely on.\n\n' +
    `Lines of the check's output that name ${codeSpan(taskPath)}:\n\n${fence(diagnostics.join('\n'))}\n\n` +
    `Current content of ${codeSpan(taskPath)}:\n\n${current}`
  );
}
