import { openProject, type Project } from '../src/project.ts';
import type { CliContext } from './main.ts';

/** Opens the project for one command and always closes it, so the WAL is checkpointed. */
export async function withProject<T>(ctx: CliContext, fn: (project: Project) => Promise<T>): Promise<T> {
  const project = openProject({ dir: ctx.projectDir() });
  try {
    return await fn(project);
  } finally {
    project.close();
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseIntStrict(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
    return n;
  };
}
