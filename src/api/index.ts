import { combineUnique } from '../contracts/api/contract.ts';
import type { ApiContracts } from '../contracts/api/index.ts';
import { API_NAMES } from '../contracts/api-names.ts';
import type { Caller } from '../contracts/api-roles.ts';
import type { ApiContext } from './context.ts';
import { dispatchIn } from './dispatch.ts';
import { generationHandlers } from './generation.ts';
import type { Handlers } from './handler.ts';
import { labelersHandlers } from './labelers.ts';
import { modelsHandlers } from './models.ts';
import { pairsHandlers } from './pairs.ts';
import { projectHandlers } from './project.ts';
import { reviewHandlers } from './review.ts';
import { runsHandlers } from './runs.ts';
import { settingsHandlers } from './settings.ts';
import { sourcesHandlers } from './sources.ts';
import { trainingHandlers } from './training.ts';
import { validationHandlers } from './validation.ts';

/**
 * The one surface over the domain: one small map per area, typed from src/contracts/api/. IPC, the
 * HTTP bridge and tests all call `dispatch`. A name defined by two areas throws here, at start.
 */
export const api = combineUnique(
  projectHandlers,
  sourcesHandlers,
  pairsHandlers,
  reviewHandlers,
  validationHandlers,
  runsHandlers,
  generationHandlers,
  trainingHandlers,
  modelsHandlers,
  settingsHandlers,
  labelersHandlers,
) satisfies Handlers<ApiContracts>;

export function dispatch(ctx: ApiContext, name: string, rawArgs: unknown, caller?: Caller): Promise<unknown> {
  return dispatchIn(api, ctx, name, rawArgs, caller);
}

export type { ApiArgs, ApiName, ApiParsedArgs, ApiResult } from '../contracts/api/index.ts';
export { isApiName } from '../contracts/api/index.ts';
export type { ApiContext, KeyStore } from './context.ts';
export { API_NAMES };
