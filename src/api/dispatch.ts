import { z } from 'zod';
import { type Caller, mayCall, OWNER } from '../contracts/api-roles.ts';
import { ForbiddenError, InputError, KeyMissingError, NotFoundError, StudioError } from '../errors/index.ts';
import type { ApiContext } from './context.ts';
import type { Handler } from './handler.ts';

/** A handler answered something its result schema refuses: the wire and the domain have drifted. */
export class ContractError extends StudioError {
  override name = 'ContractError';
}

/**
 * Whether dispatch checks results against their schemas: in tests and development, or when
 * STUDIO_CHECK_RESULTS=1 (`STUDIO_CHECK_RESULTS=0` turns it off). Arguments are always checked.
 */
export function checksResults(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const v = env.STUDIO_CHECK_RESULTS;
  if (v === '1' || v === '0') return v === '1';
  return Boolean(env.VITEST) || env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
}

/** Whether a handler's arguments have a top-level `labeler` field (through defaults and wrappers). */
function takesLabeler(schema: z.ZodType): boolean {
  let s: z.ZodType = schema;
  for (let i = 0; i < 8; i++) {
    if (s instanceof z.ZodObject) return Object.hasOwn(s.shape, 'labeler');
    const def = (s as unknown as { def: { innerType?: z.ZodType; in?: z.ZodType } }).def;
    const inner = def.innerType ?? def.in;
    if (!inner) return false;
    s = inner;
  }
  return false;
}

/**
 * A labeler acts only as themselves: whatever `labeler` the request names, the token's name is
 * used. Done here, once, so no handler can forget it.
 */
function asCaller(schema: z.ZodType, rawArgs: unknown, caller: Caller): unknown {
  if (caller.role !== 'labeler') return rawArgs;
  const args = rawArgs ?? {};
  if (typeof args !== 'object' || Array.isArray(args)) return args;
  if (!Object.hasOwn(args, 'labeler') && !takesLabeler(schema)) return args;
  return { ...(args as Record<string, unknown>), labeler: caller.name };
}

function firstIssue(error: z.ZodError): { message: string; field: string | undefined } {
  const issue = error.issues[0];
  return { message: issue?.message ?? 'invalid', field: issue?.path.join('.') || undefined };
}

/**
 * Checks the caller's role, parses the arguments with the handler's schema, runs it, and (in tests
 * and development) checks the result with its schema. Bad arguments name their field. IPC and tests
 * call as the owner; the HTTP bridge passes who the token belongs to. The result travels as the
 * handler returned it, checked or not, so a check never changes what a caller receives.
 */
export async function dispatchIn(
  handlers: Readonly<Record<string, Handler>>,
  ctx: ApiContext,
  name: string,
  rawArgs: unknown,
  caller: Caller = OWNER,
): Promise<unknown> {
  if (!Object.hasOwn(handlers, name)) throw new NotFoundError(`unknown API function "${name}"`);
  if (!mayCall(caller, name)) throw new ForbiddenError(`a labeler's token cannot call "${name}"`);
  const h = handlers[name] as Handler;
  const parsed = h.args.safeParse(asCaller(h.args, rawArgs, caller));
  if (!parsed.success) {
    const { message, field } = firstIssue(parsed.error);
    throw new InputError(message || 'invalid arguments', { field });
  }
  let result: unknown;
  try {
    result = await h.run(ctx, parsed.data, caller);
  } catch (error) {
    // Where keys can be set depends on the mode: the desktop app stores them (Settings); a browser on
    // `studio serve` cannot, so it is told which variables to set for the server.
    if (error instanceof KeyMissingError) throw error.withAdvice(ctx.keys ? 'desktop' : 'browser');
    throw error;
  }
  if (checksResults(ctx.env ?? process.env)) {
    const checked = h.result.safeParse(result);
    if (!checked.success) {
      const { message, field } = firstIssue(checked.error);
      throw new ContractError(`"${name}" answered outside its contract at ${field ?? 'the top'}: ${message}`);
    }
  }
  return result;
}
