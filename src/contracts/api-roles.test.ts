import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_CONTRACTS } from './api/index.ts';
import { API_NAMES } from './api-names.ts';
import { LABELER_ALLOWED, mayCall, namesWithoutRole, rolesWithoutName, roleTableMarkdown } from './api-roles.ts';

describe('the role table', () => {
  it('gives every API function a role, and names no function that does not exist', () => {
    expect(namesWithoutRole()).toEqual([]);
    expect(rolesWithoutName()).toEqual([]);
    expect(Object.keys(API_CONTRACTS).sort()).toEqual([...API_NAMES].sort());
  });

  it('lets a labeler do only what labeling needs', () => {
    const labeler = { role: 'labeler', name: 'ann' } as const;
    for (const name of ['review-next', 'review-submit', 'review-undo', 'pairs-get', 'whoami'])
      expect(mayCall(labeler, name), name).toBe(true);
    // The functions the security issue names as owner-only, and a name that does not exist.
    for (const name of [
      'sources-import',
      'pairs-export',
      'settings-update',
      'keys-set',
      'jobs-train',
      'jobs-generate',
      'jobs-validate',
      'runs-cancel',
      'models-download',
      'models-download-cancel',
      'labelers-add',
      'no-such-function',
    ])
      expect(mayCall(labeler, name), name).toBe(false);
    expect(API_NAMES.every((n) => mayCall({ role: 'owner' }, n))).toBe(true);
    // Every labeler route is labeling or reading for it: none writes outside labels.
    expect(
      [...LABELER_ALLOWED].filter((n) =>
        /(^|-)(import|export|update|set|jobs|train|download|cancel|resume|add|revoke)(-|$)/.test(n),
      ),
    ).toEqual([]);
  });

  it('is the table in the README’s security section', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- api-roles:start -->\n([\s\S]*?)\n<!-- api-roles:end -->/.exec(readme)?.[1];
    // On a mismatch, paste the expected text between the markers.
    expect(block).toBe(roleTableMarkdown());
  });
});
