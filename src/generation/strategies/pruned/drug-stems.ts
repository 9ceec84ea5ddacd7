/**
 * The stems international non-proprietary names end in (WHO INN stems: -pril, -sartan, -olol,
 * -statin, -xaban, -cillin, -mab, ...), each with the families of medicines a question names its
 * drugs by ("Is she on a statin?", "Which blood thinner ...?"). One table for the pruner, which
 * locks a drug's name (clinical.ts), and the query path, which finds the drugs of a family a
 * question names (drug-classes.ts): kept apart, the families' stems had drifted from the pruner's
 * (-coxib, -asone, -tizide were no drug to it).
 */

/** A family of medicines a question may name instead of the drug. */
export type DrugFamily =
  | 'anticoagulant'
  | 'statin'
  | 'beta-blocker'
  | 'ace-inhibitor'
  | 'angiotensin'
  | 'blood-pressure'
  | 'antibiotic'
  | 'painkiller'
  | 'antidepressant'
  | 'diuretic'
  | 'steroid'
  | 'antiviral'
  | 'acid'
  | 'diabetes';

/** Each stem (a regex fragment, lower case) and its families; none where no question names one. */
export const DRUG_STEMS: ReadonlyArray<readonly [stem: string, families: readonly DrugFamily[]]> = [
  ['pril', ['ace-inhibitor', 'blood-pressure']],
  ['sartan', ['angiotensin', 'blood-pressure']],
  ['olol', ['beta-blocker', 'blood-pressure']],
  ['alol', ['beta-blocker', 'blood-pressure']],
  ['statin', ['statin']],
  ['dipine', ['blood-pressure']],
  ['prazole', ['acid']],
  ['conazole', []],
  ['xaban', ['anticoagulant']],
  ['gatran', ['anticoagulant']],
  ['parin', ['anticoagulant']],
  ['cillin', ['antibiotic']],
  ['mycin', ['antibiotic']],
  ['micin', ['antibiotic']],
  ['cycline', ['antibiotic']],
  ['floxacin', ['antibiotic']],
  ['ovir', ['antiviral']],
  ['avir', ['antiviral']],
  ['mab', []],
  ['tinib', []],
  ['anib', []],
  ['gliptin', ['diabetes']],
  ['gliflozin', ['diabetes']],
  ['glutide', ['diabetes']],
  ['formin', ['diabetes']],
  ['semide', ['diuretic']],
  ['thiazide', ['diuretic', 'blood-pressure']],
  ['tizide', ['diuretic']],
  ['isone', ['steroid']],
  ['olone', ['steroid']],
  ['sonide', ['steroid']],
  ['asone', ['steroid']],
  ['azepam', []],
  ['azolam', []],
  ['oxetine', ['antidepressant']],
  ['aline', []],
  ['triptyline', ['antidepressant']],
  ['pramine', ['antidepressant']],
  ['triptan', []],
  ['afil', []],
  ['dronate', []],
  ['lukast', []],
  ['terol', []],
  ['tropium', []],
  ['profen', ['painkiller']],
  ['fenac', ['painkiller']],
  ['coxib', ['painkiller']],
  ['codone', []],
  ['morphone', []],
  ['caine', []],
  ['setron', []],
  ['tidine', []],
  ['tiazem', []],
  ['pamil', []],
  ['oxacin', ['antibiotic']],
  // "magazine" is no drug (re-read of session 32: locked as one).
  ['(?<!mag)azine', []],
  ['barbital', []],
  ['vudine', []],
  ['lutamide', []],
  ['platin', []],
  ['rubicin', []],
  ['taxel', []],
  ['prost', []],
  ['parib', []],
  ['tretin', []],
  ['dazole', []],
  ['teplase', []],
];

/** The stems of a family's drugs, as one alternation (`xaban|gatran|parin`); every stem without a family. */
export function stemsOf(family?: DrugFamily): string {
  return DRUG_STEMS.filter(([, families]) => family === undefined || families.includes(family))
    .map(([stem]) => stem)
    .join('|');
}
