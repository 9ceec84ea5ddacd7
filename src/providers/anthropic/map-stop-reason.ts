import type { FinishReason } from '../spec.ts';

export function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}
