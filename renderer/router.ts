import { useEffect, useState } from 'react';

export const PAGES = ['library', 'pairs', 'review', 'runs', 'train', 'models', 'settings', 'source'] as const;
export type Page = (typeof PAGES)[number];

export interface Route {
  page: Page;
  params: URLSearchParams;
}

/** Routes live in the hash (#/pairs?verdict=failures) so a view can be shared as a link. */
export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const page = (PAGES as readonly string[]).includes(path) ? (path as Page) : 'library';
  return { page, params: new URLSearchParams(query) };
}

export function hrefFor(page: Page, params?: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {}))
    if (v !== undefined && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return `#/${page}${s ? `?${s}` : ''}`;
}

export function navigate(
  page: Page,
  params?: Record<string, string | number | boolean | undefined>,
  replace = false,
): void {
  const href = hrefFor(page, params);
  if (replace) window.history.replaceState(null, '', href);
  else window.location.hash = href.slice(1);
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
