import { z } from 'zod';
import type { ImportIssue, ImportRecord, ReaderContext, ReadItem } from './types.ts';

const TurnSchema = z.looseObject({
  speaker: z.string(),
  dia_id: z.string(),
  text: z.string(),
  blip_caption: z.string().optional(),
});

const QaSchema = z.looseObject({
  question: z.string(),
  answer: z.union([z.string(), z.number()]).optional(),
  adversarial_answer: z.string().optional(),
  evidence: z.array(z.string()).default([]),
  category: z.number().optional(),
});

const SampleSchema = z.looseObject({
  sample_id: z.string(),
  conversation: z.looseObject({ speaker_a: z.string(), speaker_b: z.string() }),
  qa: z.array(z.unknown()).default([]),
  session_summary: z.record(z.string(), z.unknown()).optional(),
  observation: z.record(z.string(), z.unknown()).optional(),
  event_summary: z.record(z.string(), z.unknown()).optional(),
});

/** The LoCoMo shape: an array of samples with `conversation.speaker_a` and `session_N` turn lists. */
export function isLocomo(value: unknown): value is unknown[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  const first = value[0] as { conversation?: { speaker_a?: unknown } } | null;
  return typeof first?.conversation?.speaker_a === 'string';
}

export function renderTurn(turn: z.infer<typeof TurnSchema>): string {
  const photo = turn.blip_caption ? ` [shares a photo: ${turn.blip_caption}]` : '';
  // One line per turn: a line break inside the text (13 turns of LoCoMo end in "\n\n") would put
  // the rest, or the photo caption, on a line with no speaker.
  const text = turn.text.replace(/\s*\n\s*/g, ' ').trim();
  return `${turn.speaker}: ${text}${photo}`;
}

/**
 * Each session of each conversation becomes one chat source: a dated header and one line per turn.
 * The QA items whose evidence lies in the session travel with it as metadata (they say what a
 * compression of this session must keep), with the dialog ids that locate each turn.
 */
export function* readLocomo(samples: unknown[], ctx: ReaderContext): Generator<ReadItem> {
  for (const [index, raw] of samples.entries()) {
    const parsed = SampleSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      yield {
        kind: 'issue',
        issue: {
          file: ctx.file,
          field: `[${index}]${issue?.path.length ? `.${issue.path.join('.')}` : ''}`,
          message: `not a LoCoMo sample: ${issue?.message ?? 'invalid'}`,
        },
      };
      continue;
    }
    const sample = parsed.data;
    const conv = sample.conversation as Record<string, unknown>;
    const qa = sample.qa.map((q) => QaSchema.safeParse(q)).flatMap((r) => (r.success ? [r.data] : []));
    const sessionNumbers = Object.keys(conv)
      .map((k) => /^session_(\d+)$/.exec(k)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const n of sessionNumbers) {
      const item = sessionRecord(sample, conv, qa, n, ctx, index);
      yield 'source' in item ? { kind: 'record', record: item } : { kind: 'issue', issue: item };
    }
  }
}

function sessionRecord(
  sample: z.infer<typeof SampleSchema>,
  conv: Record<string, unknown>,
  qa: z.infer<typeof QaSchema>[],
  n: number,
  ctx: ReaderContext,
  index: number,
): ImportRecord | ImportIssue {
  const field = `[${index}].conversation.session_${n}`;
  const turns = z.array(TurnSchema).safeParse(conv[`session_${n}`]);
  if (!turns.success) {
    const issue = turns.error.issues[0];
    return {
      file: ctx.file,
      field: `${field}${issue?.path.length ? `.${issue.path.join('.')}` : ''}`,
      message: issue?.message ?? 'invalid turns',
    };
  }
  if (!turns.data.length) return { file: ctx.file, field, message: 'the session has no turns' };
  const when = typeof conv[`session_${n}_date_time`] === 'string' ? (conv[`session_${n}_date_time`] as string) : null;
  const speakers = [sample.conversation.speaker_a, sample.conversation.speaker_b];
  const header = `Session ${n}${when ? ` (${when})` : ''}: ${speakers.join(' and ')}`;
  const text = [header, ...turns.data.map(renderTurn)].join('\n');
  const prefix = `D${n}:`;
  const sessionQa = qa.filter((q) => q.evidence.some((e) => e.startsWith(prefix)));
  return {
    source: {
      text,
      domain: 'chat',
      language: null,
      format: 'locomo',
      title: `${sample.sample_id} session ${n}`,
      originPath: ctx.file,
      originRef: `${sample.sample_id}/session_${n}`,
      metadata: {
        sampleId: sample.sample_id,
        session: n,
        dateTime: when,
        speakers,
        diaIds: turns.data.map((t) => t.dia_id),
        qa: sessionQa,
        sessionSummary: sample.session_summary?.[`session_${n}_summary`] ?? null,
        observation: sample.observation?.[`session_${n}_observation`] ?? null,
      },
      tags: [...new Set([...ctx.tags, 'locomo', sample.sample_id])],
    },
  };
}
