import { ConflictError, InputError, KeyMissingError } from '../errors/index.ts';
import type { Project } from '../project.ts';
import { listRuns } from '../store/runs.ts';
import { runClassifierTraining } from '../training/classifier-job.ts';
import { trainingPreflight } from '../training/preflight.ts';
import { loadTrainingConfig, runTraining } from '../training/train-job.ts';
import type { StartTraining } from './jobs.ts';
import type { Launcher } from './launch.ts';

/**
 * A training run's id and its events as Runs-page progress: the trainers (MLX, Tinker, the token
 * classifier) share the event shape; `unit` names their step, `speed` adds tokens/s to the label.
 */
function trainingProgress(
  progress: Launcher['progress'],
  onRun: (id: number) => void,
  unit: 'iter' | 'step',
  speed: boolean,
) {
  let runId = 0;
  let total = 0;
  return {
    onRun: (id: number) => {
      runId = id;
      onRun(id);
    },
    onEvent: (e: { type: string; totalIters?: number; iter?: number; loss?: number; tokensPerSec?: number }) => {
      if (e.type === 'start' && e.totalIters !== undefined) total = e.totalIters;
      if (e.type === 'train' && e.iter !== undefined && e.loss !== undefined)
        progress({
          type: 'run-progress',
          runId,
          kind: 'training',
          done: e.iter,
          total,
          label: `${unit} ${e.iter}/${total} · loss ${e.loss.toFixed(3)}${speed && e.tokensPerSec ? ` · ${e.tokensPerSec.toFixed(0)} tok/s` : ''}`,
        });
    },
  };
}

function launchTraining(
  project: Project,
  { launch, progress }: Launcher,
  args: Omit<StartTraining, 'runner'> & { runner: 'local' | 'tinker' },
) {
  return launch('training', async (signal, onRun) => {
    const summary = await runTraining(project, {
      runner: args.runner,
      ...(args.overrides ? { overrides: args.overrides } : {}),
      ...(args.resumeRunId !== undefined ? { resumeRunId: args.resumeRunId } : {}),
      signal,
      ...trainingProgress(progress, onRun, 'iter', true),
    });
    return { cancelled: summary.cancelled };
  });
}

function launchClassifier(project: Project, { launch, progress }: Launcher, args: StartTraining) {
  return launch('training', async (signal, onRun) => {
    const summary = await runClassifierTraining(project, {
      ...(args.overrides ? { overrides: args.overrides } : {}),
      ...(args.strategies?.length ? { strategies: args.strategies } : {}),
      ...(args.distil ? { distil: args.distil } : {}),
      ...(args.resumeRunId !== undefined ? { resumeRunId: args.resumeRunId } : {}),
      signal,
      ...trainingProgress(progress, onRun, 'step', false),
    });
    return { cancelled: summary.cancelled };
  });
}

/**
 * Training jobs: the LoRA runners (MLX, Tinker) after their pre-flight, and the token classifier.
 * One training run at a time.
 */
export function trainingJobs(project: Project, launcher: Launcher) {
  let trainingStarting = false;

  async function start(args: StartTraining): Promise<{ runId: number }> {
    if (args.runner === 'classifier') {
      const running = listRuns(project.db, { kind: 'training', limit: 20 }).find((r) => r.status === 'running');
      if (running) throw new ConflictError(`training run ${running.id} is running: one at a time`);
      return launchClassifier(project, launcher, args);
    }
    // Config errors surface here, before the run exists.
    loadTrainingConfig({ [args.runner]: args.overrides ?? {} });
    // One training run at a time (they share the machine, or the Tinker account); a second start,
    // even one racing this one through its pre-flight, is refused before it creates a run.
    if (trainingStarting) throw new ConflictError('a training run is being started now: wait for it');
    trainingStarting = true;
    try {
      const check = await trainingPreflight(project, {
        runner: args.runner,
        ...(args.overrides ? { overrides: args.overrides } : {}),
      });
      const active = check.checks.find((c) => c.id === 'active-run');
      if (active) throw new ConflictError(active.message);
      if (check.missingKey) throw new KeyMissingError([{ provider: 'tinker', env: check.missingKey }]);
      const errors = check.checks.filter((c) => c.level === 'error');
      if (errors.length) throw new InputError(`cannot start training: ${errors.map((c) => c.message).join('; ')}`);
      const warnings = check.checks.filter((c) => c.level === 'warn');
      if (warnings.length && !args.confirmed)
        throw new InputError(
          `training needs a confirmation of its pre-flight warnings: ${warnings.map((c) => c.message).join('; ')}`,
        );
      return await launchTraining(project, launcher, { ...args, runner: args.runner });
    } finally {
      trainingStarting = false;
    }
  }

  return { start };
}
