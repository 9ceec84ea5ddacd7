import type { z } from 'zod';
import type { ApiNameLiteral } from '../api-names.ts';
import { combineUnique } from './contract.ts';
import { generationContracts } from './generation.ts';
import { labelersContracts } from './labelers.ts';
import { modelsContracts } from './models.ts';
import { pairsContracts } from './pairs.ts';
import { projectContracts } from './project.ts';
import { reviewContracts } from './review.ts';
import { runsContracts } from './runs.ts';
import { settingsContracts } from './settings.ts';
import { sourcesContracts } from './sources.ts';
import { trainingContracts } from './training.ts';
import { validationContracts } from './validation.ts';

/**
 * The wire: every API function's argument and result schemas, by name. The handlers in src/api/
 * are typed from this map (not the reverse), so a store function that changes its return type
 * fails to compile at the handler instead of silently changing what goes over IPC and HTTP.
 */
export const API_CONTRACTS = combineUnique(
  projectContracts,
  sourcesContracts,
  pairsContracts,
  reviewContracts,
  validationContracts,
  runsContracts,
  generationContracts,
  trainingContracts,
  modelsContracts,
  settingsContracts,
  labelersContracts,
);

export type ApiContracts = typeof API_CONTRACTS;
export type ApiName = keyof ApiContracts;
/** What a caller sends (defaults may be left out). */
export type ApiArgs<N extends ApiName> = z.input<ApiContracts[N]['args']>;
/** What a handler receives: the arguments after parsing, defaults filled in. */
export type ApiParsedArgs<N extends ApiName> = z.output<ApiContracts[N]['args']>;
/** What a caller gets back. */
export type ApiResult<N extends ApiName> = z.output<ApiContracts[N]['result']>;

// The name list (API_NAMES: the preload's check, the README's order) and this map are one set.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: Same<ApiName, ApiNameLiteral> = true;
void namesMatch;

export function isApiName(name: string): name is ApiName {
  return Object.hasOwn(API_CONTRACTS, name);
}
