import { describe, expect, it } from 'vitest';
import { parses } from '../../generation/strategies/code-path.ts';
import { identifierWords, selectCodeForQuery } from './code-select.ts';

/** The selection, or the test fails with why there was none. */
async function mustSelect(...args: Parameters<typeof selectCodeForQuery>) {
  const r = await selectCodeForQuery(...args);
  if ('skipped' in r) throw new Error(r.skipped);
  return r;
}

const count = (t: string) => Math.ceil(t.length / 4);

const BILLING = `import math
from datetime import date, timedelta


def late_fee(amount: float, days_late: int, daily_rate: float = 0.0005) -> float:
    """Interest on a late invoice, compounded daily, never below 5 EUR once late."""
    if days_late <= 0:
        return 0.0
    fee = amount * (math.pow(1 + daily_rate, days_late) - 1)
    return max(5.0, round(fee, 2))


def split_installments(total: float, parts: int) -> list[float]:
    """Split a total into equal installments; the last one takes the rounding remainder."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    base = math.floor(total * 100 / parts) / 100
    return [base] * (parts - 1) + [round(total - base * (parts - 1), 2)]


class Ledger:
    def __init__(self) -> None:
        self.invoices: dict[str, float] = {}
        self.payments: dict[str, float] = {}

    def pay(self, number: str, amount: float) -> None:
        if number not in self.invoices:
            raise KeyError(f"unknown invoice {number}")
        self.payments[number] = self.payments.get(number, 0.0) + amount
`;

const parsesClean = async (text: string, language: string) => (await parses(text, language)) === true;

describe('query-aware selection of code', () => {
  it('splits identifiers into words', () => {
    expect(identifierWords('late_fee lateFee HTTPServer splitInstallments')).toBe(
      'late fee late Fee HTTP Server split Installments',
    );
  });

  it('keeps the function the question is about whole and shows the others by their signature', async () => {
    const all = count(BILLING);
    const r = await mustSelect(BILLING, {
      language: 'python',
      query: 'How is the late fee computed?',
      budget: Math.floor(all * 0.6),
      count,
    });
    const text = r?.text ?? '';
    expect(text).toContain('fee = amount * (math.pow(1 + daily_rate, days_late) - 1)');
    expect(text).toContain('def split_installments(total: float, parts: int) -> list[float]:\n    ...');
    expect(text).toContain('    def pay(self, number: str, amount: float) -> None:\n        ...');
    expect(text).toContain('import math');
    expect(r?.whole).toEqual(['late_fee']);
    expect(r?.signatures).toContain('split_installments');
    expect(r?.signatures).toContain('Ledger.pay');
    expect(r?.tokens).toBeLessThanOrEqual(Math.floor(all * 0.6));
    expect(await parsesClean(text, 'python')).toBe(true);
  });

  it('cuts only as many bodies as the budget needs, least relevant first, and reads relevance from the source', async () => {
    const stripped = BILLING.replace(/ {4}""".*"""\n/g, '');
    const all = count(stripped);
    // "rounding remainder" is said only in a docstring the code path strips: the source given says it.
    const r = await mustSelect(stripped, {
      language: 'python',
      query: 'Which function handles the rounding remainder?',
      budget: all - 20,
      count,
      source: BILLING,
    });
    expect(r?.whole[0]).toBe('split_installments');
    expect(r?.text).toContain('base = math.floor(total * 100 / parts) / 100');
    expect(r?.signatures.length).toBe(1);
    // A budget the text already fits: nothing to cut.
    expect(await selectCodeForQuery(stripped, { language: 'python', query: 'fee', budget: all, count })).toEqual({
      skipped: 'the code fits the budget',
    });
    // The only body long enough is the one asked about: kept whole, and said so.
    const one = 'def late_fee(amount, days):\n    fee = amount * 0.01 * days\n    return max(5, fee)\n';
    expect(await selectCodeForQuery(one, { language: 'python', query: 'late fee', budget: 5, count })).toEqual({
      skipped: 'the only body long enough to leave out is the one the question asks about, kept whole',
    });
  });

  it('JavaScript and TypeScript: functions, arrow functions and class methods, the result parsing', async () => {
    const ts = `import { readFile } from 'node:fs/promises';

export interface Order { id: string; total: number; }

export async function loadOrders(path: string): Promise<Order[]> {
  const raw = await readFile(path, 'utf8');
  return raw.split('\\n').filter(Boolean).map((line) => JSON.parse(line) as Order);
}

export const refundOrder = (order: Order, reason: string): Order => {
  if (!reason.trim()) throw new Error('a refund needs a reason');
  console.log(\`refund \${order.id}: \${reason}\`);
  return { ...order, total: 0 };
};

export class Cart {
  private items: Order[] = [];
  add(order: Order): void {
    if (this.items.some((o) => o.id === order.id)) throw new Error('already in the cart');
    this.items.push(order);
  }
  total(): number {
    return this.items.reduce((sum, o) => sum + o.total, 0);
  }
}
`;
    const o200k = (t: string) => Math.ceil(t.length / 4);
    const r = await mustSelect(ts, {
      language: 'typescript',
      query: 'What happens when an order is refunded without a reason?',
      budget: Math.floor(o200k(ts) * 0.7),
      count: o200k,
    });
    expect(r?.whole[0]).toBe('refundOrder');
    expect(r?.text).toContain("throw new Error('a refund needs a reason')");
    expect(r?.text).toContain('export async function loadOrders(path: string): Promise<Order[]> { /* … */ }');
    expect(r?.text).toContain('export interface Order { id: string; total: number; }');
    expect(await parsesClean(r?.text ?? '', 'typescript')).toBe(true);
  });

  it('leaves languages whose bodies it does not know to the code path', async () => {
    const rust = 'fn main() {\n    println!("hello");\n    println!("world");\n}\n';
    expect(await selectCodeForQuery(rust, { language: 'rust', query: 'hello', budget: 1, count })).toEqual({
      skipped: 'only Python, JavaScript, TypeScript and Go bodies are chosen by a question, not rust',
      unread: 'language',
    });
    expect(await selectCodeForQuery('def f(:\n  pass\n', { language: 'python', query: 'f', budget: 1, count })).toEqual(
      {
        skipped: 'the code does not parse, so no body could be chosen',
        unread: 'parse',
      },
    );
  });
});

describe('selection of code without a question (a ratio asked)', () => {
  it('leaves out the bodies the module uses least first, each keeping its docstring above its ...', async () => {
    const all = count(BILLING);
    const r = await mustSelect(BILLING, { language: 'python', budget: Math.floor(all * 0.8), count });
    // Nothing in the module calls late_fee or split_installments; the Ledger's constructor is its
    // class's, used nowhere either, nor is pay: these go first, the longest first.
    expect(r.signatures.length).toBeGreaterThan(0);
    for (const name of r.signatures)
      expect(['late_fee', 'split_installments', 'Ledger.__init__', 'Ledger.pay']).toContain(name);
    // What the function promises stays with its signature.
    if (r.signatures.includes('split_installments'))
      expect(r.text).toContain(
        '    """Split a total into equal installments; the last one takes the rounding remainder."""\n    ...',
      );
    if (r.signatures.includes('late_fee'))
      expect(r.text).toContain(
        '    """Interest on a late invoice, compounded daily, never below 5 EUR once late."""\n    ...',
      );
    expect(r.tokens).toBeLessThanOrEqual(Math.floor(all * 0.8));
    expect(await parsesClean(r.text, 'python')).toBe(true);
  });

  it('keeps whole what the rest of the module calls most', async () => {
    const module = [
      'def _cents(amount):',
      '    value = round(amount * 100)',
      '    if value < 0:',
      '        raise ValueError("negative amount")',
      '    return value',
      '',
      'def total(lines):',
      '    out = 0',
      '    for line in lines:',
      '        out += _cents(line.price) * line.quantity',
      '    return out',
      '',
      'def refund(line):',
      '    amount = _cents(line.price)',
      '    if line.quantity > 1:',
      '        amount = amount * line.quantity',
      '    return -amount',
      '',
    ].join('\n');
    const r = await mustSelect(module, { language: 'python', budget: Math.floor(count(module) * 0.75), count });
    expect(r.text).toContain('    value = round(amount * 100)');
    expect(r.signatures).not.toContain('_cents');
    expect(await parsesClean(r.text, 'python')).toBe(true);
  });
});

describe('Go (review 5, F-16: the question was not used)', () => {
  const GO = [
    'package limiter',
    '',
    'import "time"',
    '',
    '// Limiter hands out tokens per tenant.',
    'type Limiter struct {',
    '\tbuckets map[string]*bucket',
    '\toverrides map[string]float64',
    '}',
    '',
    "// SetOverride raises a tenant's rate. Overrides live in memory only:",
    '// they are NOT persisted, a gateway restart drops them.',
    'func (l *Limiter) SetOverride(tenant string, rps float64) {',
    '\tif l.overrides == nil {',
    '\t\tl.overrides = map[string]float64{}',
    '\t}',
    '\tl.overrides[tenant] = rps',
    '}',
    '',
    '// Allow takes a token for the tenant, refilling its bucket first.',
    'func (l *Limiter) Allow(tenant string, now time.Time) bool {',
    '\tb := l.buckets[tenant]',
    '\tif b == nil {',
    '\t\treturn false',
    '\t}',
    '\tb.refill(now)',
    '\treturn b.take()',
    '}',
    '',
    'func pruneIdle(l *Limiter, idle time.Duration, now time.Time) int {',
    '\tn := 0',
    '\tfor k, b := range l.buckets {',
    '\t\tif now.Sub(b.last) > idle {',
    '\t\t\tdelete(l.buckets, k)',
    '\t\t\tn++',
    '\t\t}',
    '\t}',
    '\treturn n',
    '}',
    '',
  ].join('\n');

  it('keeps the method the question is about whole, the others as their signature and doc comment', async () => {
    const r = await mustSelect(GO, {
      language: 'go',
      query: 'Are support overrides persisted across a gateway restart?',
      budget: Math.floor(count(GO) * 0.7),
      count,
    });
    expect(r.whole[0]).toBe('Limiter.SetOverride');
    expect(r.text).toContain('\tl.overrides[tenant] = rps');
    expect(r.text).toContain('func pruneIdle(l *Limiter, idle time.Duration, now time.Time) int { /* … */ }');
    // The doc comments stand above the functions, outside their bodies: they stay.
    expect(r.text).toContain('// they are NOT persisted, a gateway restart drops them.');
    expect(await parsesClean(r.text, 'go')).toBe(true);
  });
});
