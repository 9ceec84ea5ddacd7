// A labeler in its own process with its own connection, as a `studio serve` worker would be:
// loops next -> (claim) -> submit, with an undo now and then, and prints what failed as one JSON line.
// Used by queue-concurrency.test.ts and bench/security.ts.
import { claimPair, nextPair, submitLabel, undoLast } from '../queue.ts';
import { openDb } from '../../store/db.ts';

const [dbPath, labeler, roundsArg] = process.argv.slice(2);
if (!dbPath || !labeler) throw new Error('usage: labeler-loop.ts DB LABELER ROUNDS');
const rounds = Number(roundsArg ?? 80);
const db = openDb(dbPath);
const result = { labeler, calls: 0, nextCalls: 0, failed: 0, labelled: 0, errors: [] as string[] };
const attempt = <T>(fn: () => T): T | undefined => {
  result.calls++;
  try {
    return fn();
  } catch (error) {
    result.failed++;
    if (result.errors.length < 5) result.errors.push(String(error));
    return undefined;
  }
};
for (let i = 0; i < rounds; i++) {
  result.nextCalls++;
  const id = attempt(() => nextPair(db, labeler));
  if (id === null || id === undefined) continue;
  if (i % 5 === 0) attempt(() => claimPair(db, id, labeler));
  const label = attempt(() => submitLabel(db, { pairId: id, labeler, decision: 'approve' }));
  if (label) result.labelled++;
  if (i % 10 === 9) attempt(() => undoLast(db, labeler));
}
db.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
