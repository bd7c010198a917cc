/** `harness collect`: collect every batch that has ended; never submits. */
import { inFlight, readJournal } from '../state/journal.js';
import { collectIfEnded } from './collect.js';
import type { CollectOutcome } from './collect-finish.js';
import { recover } from './recover.js';
import type { Workspace } from './workspace.js';

export async function collectOnly(ws: Workspace): Promise<{ collected: CollectOutcome[]; waiting: number }> {
  await recover(ws, { waitForCandidates: false });
  const journal = await readJournal(ws.repoDir);
  const collected: CollectOutcome[] = [];
  let waiting = 0;
  for (const record of inFlight(journal)) {
    const { outcome } = await collectIfEnded(ws, record);
    if (outcome) collected.push(outcome);
    else waiting++;
  }
  return { collected, waiting };
}
