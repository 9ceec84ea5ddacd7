import { readLocomo } from '../src/io/locomo.ts';

/** One LoCoMo session as the importer renders it (dated header, one line per turn), with its metadata. */
export interface LocomoSessionRecord {
  sampleId: string;
  session: number;
  text: string;
  metadata: Record<string, unknown>;
}

/** The sessions of a parsed locomo-dev.json, in file order, through the product's importer (no size limits). */
export function* locomoSessionRecords(raw: unknown[], file: string): Generator<LocomoSessionRecord> {
  for (const item of readLocomo(raw, { file, tags: [], mapping: {}, maxRecordBytes: 2 ** 30, maxDepth: 64 })) {
    if (item.kind !== 'record') continue;
    const { text, metadata } = item.record.source;
    yield { sampleId: String(metadata.sampleId), session: Number(metadata.session), text, metadata };
  }
}
