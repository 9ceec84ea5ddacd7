import { Command, Option } from 'commander';
import { InputError, StudioError } from '../src/errors/index.ts';
import { registerCompress } from './commands/compress.ts';
import { registerExport } from './commands/export.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerImport } from './commands/import.ts';
import { registerInit } from './commands/init.ts';
import { registerLabelers } from './commands/labelers.ts';
import { registerModelsPull } from './commands/models.ts';
import { registerServe } from './commands/serve.ts';
import { registerServeCompressor } from './commands/serve-compressor.ts';
import { registerSources } from './commands/sources.ts';
import { registerStart } from './commands/start.ts';
import { registerStats } from './commands/stats.ts';
import { registerTrain } from './commands/train.ts';
import { registerValidate } from './commands/validate.ts';
import { createLogger, type Logger } from './logger.ts';

export interface CliContext {
  logger: Logger;
  /** The project folder: --project, else $STUDIO_PROJECT, else the working directory. */
  projectDir(): string;
  out(text: string): void;
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command()
    .name('studio')
    .description(
      'Compression Studio: compress LLM context and memory, prove answers stay the same, train and serve the compressor.',
    )
    .addOption(new Option('-p, --project <dir>', 'project folder (holds data/studio.db)').env('STUDIO_PROJECT'))
    .option('-v, --verbose', 'print stack traces and debug messages')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  registerInit(program, ctx);
  registerImport(program, ctx);
  registerExport(program, ctx);
  registerStats(program, ctx);
  registerCompress(program, ctx);
  registerGenerate(program, ctx);
  registerSources(program, ctx);
  registerStart(program, ctx);
  registerServe(program, ctx);
  registerLabelers(program, ctx);
  registerServeCompressor(program, ctx);
  registerValidate(program, ctx);
  registerTrain(program, ctx);
  registerModelsPull(program, ctx);
  return program;
}

/** Runs one command line. Failures set the exit code and print one clear line; no process.exit mid-flight. */
export async function main(argv: readonly string[]): Promise<void> {
  let verbose = argv.includes('-v') || argv.includes('--verbose');
  let projectOption: string | undefined;
  const logger = createLogger({ level: verbose ? 'debug' : 'info' });
  const ctx: CliContext = {
    logger,
    projectDir: () => projectOption ?? process.env.STUDIO_PROJECT ?? process.cwd(),
    out: (text) => {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
  const program = buildProgram(ctx);
  program.hook('preAction', (cmd) => {
    const opts = cmd.optsWithGlobals() as { project?: string; verbose?: boolean };
    projectOption = opts.project;
    verbose = Boolean(opts.verbose);
  });
  try {
    checkCommandLineLength(argv);
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof StudioError) {
      logger.error(error.message);
    } else if (error instanceof Error) {
      logger.error(verbose ? (error.stack ?? error.message) : `${error.message} (run with --verbose for details)`);
    } else {
      logger.error(String(error));
    }
    process.exitCode = 1;
  }
}

/**
 * Bytes of the whole command line (UTF-8) the CLI accepts. onnxruntime-node (the MiniLM embedder of
 * `--query`) overflows its stack while starting when the process's command line passes about
 * 30,000 bytes (seen with 1.30: a segmentation fault, no message), so a long text given as an
 * argument stops here with a way out instead.
 */
export const COMMAND_LINE_MAX = 24_000;

function checkCommandLineLength(argv: readonly string[]): void {
  // Bytes, as the process holds its command line: 11,000 CJK characters (33,000 bytes) crash it too.
  const length = argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
  if (length <= COMMAND_LINE_MAX) return;
  const longest = argv.reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a), '');
  throw new InputError(
    `the command line is ${length.toLocaleString('en-US')} bytes (at most ${COMMAND_LINE_MAX.toLocaleString('en-US')}); its longest argument, "${longest.slice(0, 40)}...", is ${Buffer.byteLength(longest).toLocaleString('en-US')}: give long text through a file or stdin (--jsonl reads queries too)`,
  );
}
