import { classifyDomain } from '../domain.ts';
import { normaliseFenceLanguage } from '../languages.ts';
import { splitFences } from '../rules/markdown.ts';

/**
 * Mixed content as prose and code segments: fenced blocks are code (in their fence's language);
 * outside fences, paragraphs the classifier calls code are code too. Each segment goes to its
 * own compressor and the document is put back together in order, fences and blank lines kept.
 */
export type MixedSegment =
  | { kind: 'prose'; text: string }
  | { kind: 'code'; text: string; language: string | null; open?: string; close?: string };

export function splitMixed(text: string): MixedSegment[] {
  const out: MixedSegment[] = [];
  for (const seg of splitFences(text.replace(/\r\n?/g, '\n'))) {
    if (seg.kind === 'fence') {
      out.push({
        kind: 'code',
        text: seg.body,
        language: normaliseFenceLanguage(seg.info) ?? null,
        open: seg.open,
        close: seg.close,
      });
      continue;
    }
    for (const para of seg.text.split(/\n{2,}/)) {
      if (!para.trim()) continue;
      const d = classifyDomain(para);
      const last = out.at(-1);
      if (d.domain === 'code' && d.language) {
        // Consecutive code paragraphs of one language are one program (blank lines inside it).
        if (last?.kind === 'code' && !last.open && last.language === d.language) last.text += `\n\n${para}`;
        else out.push({ kind: 'code', text: para, language: d.language });
      } else if (last?.kind === 'prose') last.text += `\n\n${para}`;
      else out.push({ kind: 'prose', text: para });
    }
  }
  return out;
}

export async function compressMixed(
  text: string,
  compress: {
    prose: (text: string) => Promise<string>;
    code: (text: string, language: string | null) => Promise<string>;
  },
): Promise<{ text: string; segments: { prose: number; code: number } }> {
  const parts: string[] = [];
  const segments = { prose: 0, code: 0 };
  for (const seg of splitMixed(text)) {
    if (seg.kind === 'prose') {
      segments.prose++;
      parts.push(await compress.prose(seg.text));
    } else {
      segments.code++;
      const body = await compress.code(seg.text, seg.language);
      parts.push(seg.open !== undefined ? [seg.open, body, seg.close ?? '```'].join('\n') : body);
    }
  }
  return { text: parts.filter((p) => p.trim()).join('\n\n'), segments };
}
