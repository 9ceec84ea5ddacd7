import { API_NAMES, type ApiNameLiteral } from './api-names.ts';

/**
 * Who may call what. The owner (the desktop app, or the token `studio serve` prints) may call
 * everything; a labeler's own token may call only what labeling needs. This table is the one
 * source: the bridge enforces it (src/api/dispatch.ts), the renderer hides what it forbids, and
 * the README's security table is checked against it by a test.
 */
export type ApiRole = 'owner' | 'labeler';

/** Who is calling: the owner, or a named labeler whose name comes from their token. */
export type Caller = { role: 'owner' } | { role: 'labeler'; name: string };
export const OWNER: Caller = { role: 'owner' };

/**
 * `labeler`: a labeler may call it (and so may the owner); `owner`: the owner only. Every name
 * must be here (a test checks it); a name missing at run time is treated as owner-only.
 * The reason beside each says why, for the README and for whoever adds the next handler.
 */
export const API_ROLES = {
  'project-info': ['labeler', 'the app shell: project name and counts (the folder path is withheld)'],
  'stats-get': ['owner', 'may call paid count-tokens endpoints with the owner’s keys'],
  'sources-list': ['labeler', 'read the sources behind the pairs'],
  'sources-get': ['labeler', 'read one source'],
  'sources-detail': ['labeler', 'a source page: the source, its probes and its pairs'],
  'sources-import': ['owner', 'reads files on the server'],
  'pairs-list': ['labeler', 'read pairs (the Bulk view and filters)'],
  'pairs-facets': ['labeler', 'filter choices for the pairs views'],
  'pairs-get': ['labeler', 'read a pair with its source, probes, verdicts and labels'],
  'pairs-export': ['owner', 'exports the whole dataset'],
  'compress-try': ['owner', 'runs the compressor on the server'],
  'tokens-count': ['labeler', 'live token counts while editing a compression (local tokenizers only)'],
  'review-next': ['labeler', 'the review queue (as the token’s labeler)'],
  'review-claim': ['labeler', 'open a pair from a link (as the token’s labeler)'],
  'review-submit': ['labeler', 'label a pair (as the token’s labeler)'],
  'review-submit-many': ['labeler', 'label the pairs selected in Bulk (as the token’s labeler)'],
  'review-bulk': ['labeler', 'the token’s labeler’s queue as a list (Bulk)'],
  'review-undo': ['labeler', 'undo the token’s labeler’s own last label'],
  'review-release': ['labeler', 'give back the token’s labeler’s lease'],
  'review-queue': ['labeler', 'the token’s labeler’s own labels and drafts'],
  'review-progress': ['labeler', 'the token’s labeler’s own progress'],
  'review-disagreements': ['owner', 'shows every labeler’s decisions'],
  'probes-update': ['owner', 'edits probes (drops their answers and verdicts)'],
  'runs-list': ['owner', 'jobs'],
  'runs-get': ['owner', 'jobs'],
  'runs-cancel': ['owner', 'cancel'],
  'runs-resume': ['owner', 'jobs'],
  'jobs-validate': ['owner', 'jobs (spends on providers)'],
  'jobs-generate': ['owner', 'jobs (spends on providers)'],
  'jobs-train': ['owner', 'training'],
  'training-events': ['owner', 'training'],
  'training-info': ['owner', 'training'],
  'training-preflight': ['owner', 'training: checks before a run (dataset, platform, keys)'],
  'generate-options': ['owner', 'generation: the default strategy and the known GGUFs'],
  'generate-estimate': ['owner', 'generation: count, tokens, cost and time before starting'],
  'models-list': ['owner', 'models'],
  'models-overview': ['owner', 'models'],
  'models-load': ['owner', 'models'],
  'models-unload': ['owner', 'models'],
  'models-fit': ['owner', 'models'],
  'models-try': ['owner', 'runs a model on the server'],
  'models-download': ['owner', 'downloads'],
  'models-download-cancel': ['owner', 'cancel'],
  'models-pull': ['owner', 'downloads'],
  'jobs-rules': ['owner', 'jobs'],
  'settings-get': ['labeler', 'guidelines, thresholds and model roles (provider keys and endpoints are withheld)'],
  'settings-update': ['owner', 'settings'],
  'keys-set': ['owner', 'keys'],
  whoami: ['labeler', 'the caller’s own role and name'],
  'labelers-list': ['owner', 'labeler administration'],
  'labelers-add': ['owner', 'labeler administration'],
  'labelers-revoke': ['owner', 'labeler administration'],
} as const satisfies Record<string, readonly [ApiRole, string]>;

/** The names a labeler may call, as data. */
export const LABELER_ALLOWED: ReadonlySet<string> = new Set(
  Object.entries(API_ROLES)
    .filter(([, [role]]) => role === 'labeler')
    .map(([name]) => name),
);

/** Whether this caller may call this API name; unknown names are left to the dispatcher (404). */
export function mayCall(caller: Caller, name: string): boolean {
  return caller.role === 'owner' || LABELER_ALLOWED.has(name);
}

/** API names that have no entry in the table (a test keeps this empty). */
export function namesWithoutRole(): string[] {
  return API_NAMES.filter((n) => !Object.hasOwn(API_ROLES, n));
}

/** Entries of the table that name no API function (a test keeps this empty too). */
export function rolesWithoutName(): string[] {
  const names = new Set<string>(API_NAMES);
  return Object.keys(API_ROLES).filter((n) => !names.has(n));
}

export type { ApiNameLiteral };

/**
 * The README's table of what a labeler may call, made from API_ROLES in API_NAMES order (a test
 * checks the README holds exactly this, so the two cannot drift apart).
 */
export function roleTableMarkdown(): string {
  const rows = API_NAMES.map((name) => {
    const entry = (API_ROLES as Record<string, readonly [ApiRole, string]>)[name];
    const who = entry?.[0] === 'labeler' ? 'owner and labeler' : 'owner only (labeler: 403)';
    return `| \`${name}\` | ${who} | ${entry?.[1] ?? 'no role yet: owner only'} |`;
  });
  return ['| API function | who may call it | what for / why not |', '| --- | --- | --- |', ...rows].join('\n');
}
