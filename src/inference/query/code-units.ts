import type { MemoryGroup, MemoryUnit } from './memory-units.ts';

/**
 * A unit of code or data read as written (a diff's lines, a calendar's property, a script's line):
 * never telegraphed, its own turn, said by no one. Added to `units` and to its group's units; its
 * index is returned. The readers of such texts (diff-hunks.ts, calendar-records.ts,
 * memory-units.ts parseSourceLines) built this same literal each.
 */
export function pushCodeUnit(
  units: MemoryUnit[],
  groups: readonly MemoryGroup[],
  piece: { start: number; end: number; text: string; group: number; pinned?: boolean },
): number {
  const index = units.length;
  units.push({
    index,
    start: piece.start,
    end: piece.end,
    text: piece.text,
    kind: 'code',
    speaker: null,
    group: piece.group,
    turn: index,
    label: null,
    first: true,
    pinned: piece.pinned ?? false,
  });
  groups[piece.group]?.units.push(index);
  return index;
}
