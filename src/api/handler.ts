import type { z } from 'zod';
import type { Contract } from '../contracts/api/contract.ts';
import type { Caller } from '../contracts/api-roles.ts';
import type { ApiContext } from './context.ts';

/**
 * A handler's function, typed from its contract: it receives the parsed arguments and must return
 * what the result schema accepts, so the domain cannot change the wire by changing a return type.
 */
export type HandlerRun<C extends Contract> = (
  ctx: ApiContext,
  args: z.output<C['args']>,
  caller: Caller,
) => Promise<z.input<C['result']>> | z.input<C['result']>;

export interface Handler<C extends Contract = Contract> extends Contract {
  args: C['args'];
  result: C['result'];
  run: HandlerRun<C>;
}

export type Handlers<M extends Record<string, Contract>> = { [N in keyof M]: Handler<M[N]> };

/** One area's handlers: every name of its contracts gets exactly one function (the compiler checks). */
export function handlers<M extends Record<string, Contract>>(
  contracts: M,
  runs: NoInfer<{ [N in keyof M]: HandlerRun<M[N]> }>,
): Handlers<M> {
  const out: Record<string, Handler> = {};
  for (const [name, c] of Object.entries(contracts)) {
    const run = (runs as Record<string, HandlerRun<Contract>>)[name];
    if (!run) throw new Error(`API function "${name}" has a contract but no handler`);
    out[name] = { args: c.args, result: c.result, run };
  }
  return out as Handlers<M>;
}
