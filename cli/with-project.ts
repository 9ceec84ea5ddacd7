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
