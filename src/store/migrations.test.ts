import { describe, expect, it } from 'vitest';
import { sha256 } from '../util/hash.ts';
import { migrations } from './migrations.ts';

/**
 * The sha256 of each released migration's SQL. A database that ran a migration never runs it
 * again, so an edit to one would split the installed base into two schemas: change the schema
 * with a new migration instead. (The SQL may be built by helpers, as migration 11's triggers are;
 * the text they build must stay the same.)
 */
const RELEASED: [version: number, sqlSha256: string][] = [
  [1, 'cd215ddc2b03929c181e96d55a94b30c683db3e97ed0c00f0bbb95e7ce58f721'],
  [2, '0f686518a682510bf84ac9942deee11a2b8e7253e1ff7331744dda3e43f6ca26'],
  [3, 'ae094ec4e0d3f77f4ebf629e9d454bfaea53fad155dd739c0b802c6d46d10a5a'],
  [4, '07823062c918f2135c41c447824ee4e8c0e615f10a5ca9d432e288e72302df99'],
  [5, '0970f80f4de84fffed93b8720d63e71c40e79209f30ab9d77dd2517d8f7660ba'],
  [6, '6828a37e9dcb92ecfa18cf207a309d90b8f6ddb06a2953449a42292c0fe6ec76'],
  [7, '386a47f1cd96de5db9e6dd264f521c0363253de353fe02279d512c205658e828'],
  [9, '0e2f4a213306de95ee423d917180debb0300463275277d31a7da9459767ffd7c'],
  [10, 'b71580a2da17810b43fe74a19892f3e5e5a5e98cbe97959d92ec43ddb6347428'],
  [11, '32c25dd0db829f56f3a37ab53fd8b483b62a46b207c7d75712a0a171eaa8ae67'],
];

describe('released migrations', () => {
  it('run the same SQL they always ran', () => {
    const byVersion = new Map(migrations.map((m) => [m.version, m]));
    for (const [version, hash] of RELEASED)
      expect(sha256(byVersion.get(version)?.sql ?? ''), `migration ${version}`).toBe(hash);
  });
});
