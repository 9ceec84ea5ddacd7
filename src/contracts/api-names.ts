/**
 * The names of the API functions, as data: the preload and the HTTP client check a name against
 * this list without importing the domain. src/api.ts fails to compile if the two drift apart.
 */
export const API_NAMES = [
  'project-info',
  'stats-get',
  'sources-list',
  'sources-get',
  'sources-import',
  'pairs-list',
  'pairs-facets',
  'pairs-get',
  'pairs-export',
  'compress-try',
  'review-next',
  'review-claim',
  'review-submit',
  'review-undo',
  'review-release',
  'review-queue',
  'review-progress',
  'review-disagreements',
  'probes-update',
  'runs-list',
  'runs-get',
  'runs-cancel',
  'runs-resume',
  'jobs-validate',
  'jobs-rules',
  'settings-get',
  'settings-update',
  'keys-set',
] as const;
export type ApiNameLiteral = (typeof API_NAMES)[number];
