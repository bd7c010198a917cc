/** `harness collect`: collect every batch that has ended; never submits. */
import { inFlight, readJournal } from '../state/journal.js';
import { readTaskListFile } from '../tasks/task-list.js';
import { collectIfEnded } from './collect.js';
import type { CollectOutcome } from './collect-finish.js';
import { recover } from './recover.js';
import { heldMessage, type StageState, stageState } from './stages.js';
import type { Workspace } from './workspace.js';

export async function collectOnly(ws: Workspace): Promise<{ collected: CollectOutcome[]; waiting: number }> {
  await recover(ws, { waitForCandidates: false });
  const journal = await readJournal(ws.repoDir);
  const before = stageState(await readTaskListFile(ws.repoDir));
  const collected: CollectOutcome[] = [];
  let waiting = 0;
  for (const record of inFlight(journal)) {
    const { outcome } = await collectIfEnded(ws, record);
    if (outcome) collected.push(outcome);
    else waiting++;
  }
  if (collected.length > 0) {
    const note = stageNote(before, stageState(await readTaskListFile(ws.repoDir)));
    if (note) ws.reporter[note.level](note.text);
  }
  return { collected, waiting };
}

/** What a collect that ended a stage tells the person: the next stage may start, or what holds it back. */
function stageNote(before: StageState | null, after: StageState | null): { level: 'info' | 'warn'; text: string } | null {
  if (before === null || after === null || after.current <= before.current) return null;
  const held = heldMessage(after);
  if (held) return { level: 'warn', text: held };
  return { level: 'info', text: `stage ${before.current} is over: stage ${after.current} is submitted at the next \`harness run\`` };
}
