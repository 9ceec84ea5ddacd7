import type { ImportIssue, ImportRecord, ReaderContext } from './types.ts';

export function isHumanEvalRecord(obj: Record<string, unknown>): boolean {
  return (
    typeof obj.task_id === 'string' &&
    typeof obj.prompt === 'string' &&
    'canonical_solution' in obj &&
    'entry_point' in obj
  );
}

/**
 * A HumanEval problem becomes one code source: the complete function (prompt, which holds the
 * signature and docstring, followed by the canonical solution). The unit tests and entry point are
 * kept as metadata, so validation can later run them on a reconstructed program.
 */
export function humanEvalRecord(
  obj: Record<string, unknown>,
  ctx: ReaderContext,
  line: number | undefined,
): ImportRecord | ImportIssue {
  const where = { file: ctx.file, ...(line === undefined ? {} : { line }) };
  for (const field of ['prompt', 'canonical_solution', 'test', 'entry_point'] as const) {
    if (typeof obj[field] !== 'string') return { ...where, field, message: 'expected text' };
  }
  const prompt = obj.prompt as string;
  const solution = obj.canonical_solution as string;
  const taskId = obj.task_id as string;
  return {
    source: {
      text: prompt + solution,
      domain: 'code',
      language: 'python',
      format: 'humaneval',
      title: `${taskId} ${obj.entry_point as string}`,
      originPath: ctx.file,
      originRef: taskId,
      metadata: {
        taskId,
        entryPoint: obj.entry_point,
        test: obj.test,
        promptChars: prompt.length,
      },
      tags: [...new Set([...ctx.tags, 'humaneval'])],
    },
  };
}
