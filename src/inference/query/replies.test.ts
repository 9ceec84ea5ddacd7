import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { selectForQuery } from './select.ts';

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

/**
 * A best turn brings its reply (contextTop); a reply that only reacts ("No way! Congratulations!")
 * brings the turn after it as well, where the first speaker goes on with what the news holds
 * (review 4: "¡HE APROBADO EL PRIMER EJERCICIO!" was kept, "Con un 7,8." after the congratulations not).
 */
describe('a reply that only reacts', () => {
  const chat = (lines: string[]) => ['Session 1 (10:00 am on 3 March, 2025): Nora and Tom', ...lines].join('\n');

  it('brings the turn after it, where the news goes on', async () => {
    const memory = chat([
      'Tom: My brother failed his driving test twice last year.',
      'Nora: Poor him. The driving test centre near us is strict.',
      'Nora: Big news: I passed my driving test this morning!',
      'Tom: No way! Congratulations!',
      'Nora: Only two minor faults, the examiner said I was calm.',
      'Tom: Will you drive to the test centre for your brother now?',
      'Nora: Sure, driving him there is the least I can do.',
    ]);
    const r = await selectForQuery(memory, { query: "What was Nora's driving test result?", budget: 90, count });
    expect(r.text).toContain('I passed my driving test');
    expect(r.text).toContain('two minor faults');
  });

  it('in Spanish too', async () => {
    const memory = chat([
      'Tom: Mi hermano suspendió el examen de conducir dos veces el año pasado.',
      'Nora: Pobre. El examen de conducir aquí es muy duro.',
      'Nora: ¡HE APROBADO EL EXAMEN DE CONDUCIR!',
      'Tom: ¡¡Lo sabía!! ¡Enhorabuena!',
      'Nora: Solo dos faltas leves, y el examinador me dijo que estaba tranquila.',
      'Tom: ¿Llevarás a mi hermano al examen ahora?',
      'Nora: Claro, llevarle al examen es lo mínimo.',
    ]);
    const r = await selectForQuery(memory, {
      query: '¿Qué tal le fue a Nora en el examen de conducir?',
      budget: 85,
      count,
    });
    expect(r.text).toContain('dos faltas leves');
  });
});
