import type { PairViewQuery } from '../../../src/contracts/view.ts';
import { navigate } from '../../router.ts';

export type Filters = Omit<PairViewQuery, 'offset' | 'limit'>;

/** Filters live in the URL: a view is a link. */
export function filtersFromParams(p: URLSearchParams): Filters {
  const num = (k: string) => (p.get(k) === null || p.get(k) === '' ? undefined : Number(p.get(k)));
  const f: Filters = {};
  const domain = p.get('domain');
  if (domain === 'nl' || domain === 'chat' || domain === 'code' || domain === 'mixed') f.domain = domain;
  for (const k of ['strategy', 'model', 'search'] as const) {
    const v = p.get(k);
    if (v) f[k] = v;
  }
  const ratioMin = num('ratioMin');
  const ratioMax = num('ratioMax');
  if (ratioMin !== undefined && !Number.isNaN(ratioMin)) f.ratioMin = ratioMin;
  if (ratioMax !== undefined && !Number.isNaN(ratioMax)) f.ratioMax = ratioMax;
  const verdict = p.get('verdict');
  if (verdict) f.verdict = verdict as Filters['verdict'];
  const label = p.get('label');
  if (label) f.label = label as Filters['label'];
  if (p.get('regex') === 'true') f.regex = true;
  const sort = p.get('sort');
  if (sort) f.sort = sort as Filters['sort'];
  if (p.get('desc') === 'true') f.desc = true;
  return f;
}

export function setFilter(filters: Filters, patch: Partial<Filters>) {
  navigate(
    'pairs',
    {
      ...(filters as Record<string, string | number | boolean | undefined>),
      ...(patch as Record<string, string | number | boolean | undefined>),
    },
    true,
  );
}
