import { STAMP_DATE } from '../protect.ts';
import { compressProse, type ProseStats } from './prose.ts';

export interface ChatStats extends ProseStats {
  mergedTurns: number;
  collapsedHeaders: number;
  interjections: number;
}

// Reactions that open a turn and carry no fact: "Wow, ", "Haha! ", "Oh, ".
const INTERJECTION =
  /^(?:(?:wow+|oh+|ah+|aw+|ha(?:ha)+|he(?:he)+|lol|yeah|yep|hmm+|um+|uh+|omg|ooh+|whoa|yay|woah)[,!.]*\s+)+(?=\S)/i;

// "[2023-05-08 13:56] Caroline: text", "Caroline (1:56 pm): text", "**User:** text", "User: text"
const TURN =
  /^(\s*)(?:\[(?<stamp>[^\]]{1,40})\]\s*)?(?<open>\*\*)?(?<speaker>[\p{L}][\p{L}\p{N}_.' -]{0,40}?)(?:\s*\((?<paren>[^)]{1,40})\))?(?<close>\*\*)?:(?:\*\*)?\s+(?<body>.*)$/u;

interface Turn {
  speaker: string;
  stamp: string | undefined;
  paren: string | undefined;
  body: string;
}

function parseTurn(line: string): Turn | undefined {
  const m = TURN.exec(line);
  if (!m?.groups?.speaker || m.groups.body === undefined) return undefined;
  return { speaker: m.groups.speaker.trim(), stamp: m.groups.stamp, paren: m.groups.paren, body: m.groups.body };
}

/** "2023-05-08 13:56" -> ["2023-05-08", "13:56"]: a date part and the rest. */
function splitStamp(stamp: string): [string, string] | undefined {
  const m = new RegExp(`^(${STAMP_DATE})[ T,]+(.+)$`).exec(stamp.trim());
  return m?.[1] && m[2] ? [m[1], m[2]] : undefined;
}

function render(t: Turn, stamp: string | undefined): string {
  const head = `${stamp ? `[${stamp}] ` : ''}${t.speaker}${t.paren ? ` (${t.paren})` : ''}`;
  return `${head}: ${t.body}`;
}

/**
 * Dialogue rules: consecutive turns of one speaker become one turn, the date of timestamps is
 * written once a day on a line of its own (`[2024-05-01]`, then `[09:05] Ben: ...`), and the prose
 * rules run on what people said. Speaker labels and the
 * order of turns are never changed.
 */
export function compressChat(text: string, stats: ChatStats): string {
  const out: string[] = [];
  let last: { turn: Turn; index: number } | undefined;
  let lastDate: string | undefined;
  for (const line of text.split('\n')) {
    const turn = parseTurn(line);
    if (!turn) {
      out.push(compressProse(line, stats));
      last = undefined;
      continue;
    }
    turn.body = compressProse(turn.body, stats).replace(INTERJECTION, () => {
      stats.interjections++;
      return '';
    });
    turn.body = turn.body.charAt(0).toUpperCase() + turn.body.slice(1);
    // Only untimed turns merge: a timestamp on each message is information.
    if (last && last.turn.speaker === turn.speaker && !turn.stamp && !last.turn.stamp && !turn.paren) {
      last.turn.body = `${last.turn.body} ${turn.body}`.trim();
      out[last.index] = render(last.turn, last.turn.stamp);
      stats.mergedTurns++;
      continue;
    }
    let stamp = turn.stamp;
    const parts = stamp ? splitStamp(stamp) : undefined;
    if (parts) {
      // The day goes on a line of its own, as a session header: a later stage may drop the day's
      // first turn whole (the pruner does), and the turns after it must not lose their date.
      if (parts[0] === lastDate) stats.collapsedHeaders++;
      else {
        lastDate = parts[0];
        out.push(`[${parts[0]}]`);
      }
      stamp = parts[1];
    }
    out.push(render(turn, stamp));
    last = { turn, index: out.length - 1 };
  }
  return out.join('\n');
}
