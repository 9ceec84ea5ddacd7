import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conversations, questions, sectionsOf, survives } from './memory.ts';
import { factJson, factLists, factMemory, factYaml, jsonSections, yamlSections } from './memory-facts.ts';

const FIXTURE = resolve(import.meta.dirname, '..', 'src', 'io', '__fixtures__', 'locomo-mini.json');

describe('the fact-list memory (bench memory-facts)', () => {
  it("makes each session's observations a list, one '- fact' a line, under the session's dated header", () => {
    const [conv] = conversations(FIXTURE);
    if (!conv) throw new Error('the fixture has a conversation');
    const lists = factLists(FIXTURE, conv);
    expect([...lists.keys()]).toEqual([1]);
    expect(lists.get(1)).toBe('- Ada takes pottery');
    const facts = factMemory(FIXTURE, conv);
    // The header keeps its date and drops the participants, as the importer's headers read.
    expect(facts.memory).toBe('Session 1 (9:15 am on 3 March, 2024):\n- Ada takes pottery');
    expect([...sectionsOf(facts.memory).keys()]).toEqual([1]);
    // Only the QA whose evidence sessions have facts are asked, and the facts hold none of these
    // answers ("Monday", "Elm Street"): the measure counts them out rather than as lost.
    const asked = questions([facts]);
    expect(asked.map((qa) => qa.question)).toEqual(['When did Ada start pottery?', 'Where is the pottery class?']);
    expect(asked.map((qa) => survives(qa, facts.sessions))).toEqual([false, false]);
  });

  it('writes the same facts as JSON, and reads a compressed JSON back by session', () => {
    const [conv] = conversations(FIXTURE);
    if (!conv) throw new Error('the fixture has a conversation');
    const json = factJson(FIXTURE, conv);
    expect(JSON.parse(json)).toEqual({
      sessions: [{ session: 'Session 1 (9:15 am on 3 March, 2024)', facts: ['Ada takes pottery'] }],
    });
    expect(jsonSections(JSON.stringify(JSON.parse(json)))).toEqual(
      new Map([[1, 'Session 1 (9:15 am on 3 March, 2024)\nAda takes pottery']]),
    );
    // A kept fact without its session's name counts for no session; a broken output for none.
    expect(jsonSections('{"sessions":[{"facts":["Ada takes pottery"]}]}').size).toBe(0);
    expect(jsonSections('{"other":1}').size).toBe(0);
    expect(jsonSections('{"sessions":[').size).toBe(0);
  });

  it('writes the same facts as YAML, and reads a compressed YAML back by session', () => {
    const [conv] = conversations(FIXTURE);
    if (!conv) throw new Error('the fixture has a conversation');
    const yaml = factYaml(FIXTURE, conv);
    expect(yaml).toBe(
      'sessions:\n  - session: Session 1 (9:15 am on 3 March, 2024)\n    facts:\n      - Ada takes pottery\n',
    );
    expect(yamlSections(yaml)).toEqual(new Map([[1, 'Session 1 (9:15 am on 3 March, 2024)\nAda takes pottery']]));
    expect(yamlSections('sessions:\n  - facts: [Ada takes pottery]\n').size).toBe(0);
    expect(yamlSections('sessions: [').size).toBe(0);
  });

  it('gives no lists for a conversation the file has no observations of', () => {
    const [conv] = conversations(FIXTURE);
    if (!conv) throw new Error('the fixture has a conversation');
    expect(factLists(FIXTURE, { ...conv, id: 'other' }).size).toBe(0);
  });
});
