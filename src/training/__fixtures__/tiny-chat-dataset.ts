import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainingSystemPrompt } from '../../contracts/compressor-prompt.ts';

/** 16 short prose compression pairs: enough for a few LoRA steps on a CPU (tests, the benchmark). */
export const TINY_PAIRS: readonly (readonly [original: string, compressed: string])[] = [
  ['Please make sure that you remember to close the door when you leave the office.', 'Close the office door when leaving.'],
  ['In order to be able to log in, you will need to first enter your password.', 'Enter your password to log in.'],
  ['At this point in time we are not able to process your request.', "We can't process your request now."],
  ['The reason why the build failed is because the tests did not pass.', 'The build failed: tests failed.'],
  ['It is important to note that the server will be restarted tonight.', 'The server restarts tonight.'],
  ['Due to the fact that it was raining, the game was cancelled.', 'Rain cancelled the game.'],
  ['We would like to take this opportunity to thank you for your patience.', 'Thanks for your patience.'],
  ['In the event that you have any questions, please do not hesitate to contact us.', 'Questions? Contact us.'],
  ['The function returns the value that is stored in the cache if it exists.', 'Returns the cached value if present.'],
  ['You should make a backup copy of all of your files before the upgrade.', 'Back up your files before upgrading.'],
  ['There are a number of different reasons why this might be happening.', 'This may have several causes.'],
  ['Each and every one of the users needs to reset their password.', 'Every user must reset their password.'],
  ['The meeting has been postponed until a later date that is yet to be decided.', 'Meeting postponed; date TBD.'],
  ['For the purpose of testing, we created a small sample dataset.', 'We made a small test dataset.'],
  ['Please be advised that the office will be closed on Monday.', 'The office is closed Monday.'],
  ['It would be greatly appreciated if you could reply at your earliest convenience.', 'Please reply soon.'],
];

/** One pair as a line of the chat JSONL src/training/dataset.ts exports. */
export const chatLine = ([original, compressed]: readonly [string, string]) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: trainingSystemPrompt('nl') },
      { role: 'user', content: original },
      { role: 'assistant', content: compressed },
    ],
  });

/**
 * Writes train.jsonl (12 pairs) and valid.jsonl (4) into `dir`, optionally with a corrupt line
 * inserted so that it becomes line `corrupt.at` of train.jsonl. Returns `dir`.
 */
export function writeTinyChatDataset(dir: string, corrupt?: { at: number; text: string }): string {
  mkdirSync(dir, { recursive: true });
  const train = TINY_PAIRS.slice(0, 12).map(chatLine);
  if (corrupt) train.splice(corrupt.at - 1, 0, corrupt.text);
  writeFileSync(join(dir, 'train.jsonl'), `${train.join('\n')}\n`);
  writeFileSync(join(dir, 'valid.jsonl'), `${TINY_PAIRS.slice(12).map(chatLine).join('\n')}\n`);
  return dir;
}
