import { describe, expect, it } from 'vitest';
import { isFieldTree } from './field-tree.ts';
import { headingsAbove, type ParsedMemory, parseMemory, renderUnits } from './memory-units.ts';
import { DESCRIBE_POD as describePod } from './test-memory.ts';

const unit = (m: ParsedMemory, s: string) => {
  const u = m.units.find((x) => x.text.includes(s));
  if (!u) throw new Error(`no unit with ${s}`);
  return u;
};
/** A unit rendered as a selection keeping it would: with its headings and its record's lead. */
const kept = (m: ParsedMemory, s: string) => {
  const u = unit(m, s);
  const keep = new Set([u.index]);
  const lead = m.groups[u.group]?.lead;
  if (lead !== undefined) keep.add(lead);
  return renderUnits(m, keep, undefined, undefined, headingsAbove(m, keep));
};

describe('a report of indented fields (session 33, H1: kubectl describe read as a chat)', () => {
  it('reads each field line as a record under the keys above it, as written', () => {
    const m = parseMemory(describePod);
    expect(m.format).toBe('prose');
    expect(m.units.every((u) => u.kind === 'code' && u.speaker === null)).toBe(true);
    expect(kept(m, 'memory:  512Mi')).toBe('Containers:\n  api:\n    Limits:\n      memory:  512Mi');
    expect(kept(m, 'Restart Count')).toBe('Containers:\n  api:\n    Restart Count:  4');
    // A field under a field with a value brings it: "OOMKilled" is the last state's reason.
    expect(kept(m, 'OOMKilled')).toBe(
      'Containers:\n  api:\n    Last State:     Terminated\n      Reason:       OOMKilled',
    );
    // A value over two lines is one record; a table's row comes under its column names.
    expect(unit(m, 'app=checkout-api').text).toContain('pod-template-hash=7d9f8b6c5');
    expect(kept(m, 'BackOff')).toContain('Events:\n  Type     Reason');
  });

  it("reads a table's column names without a rule under them as its rows' heading", () => {
    const conditions = [
      'Name:             web-0',
      'Status:           Running',
      'IP:               10.244.3.17',
      'Containers:',
      '  web:',
      '    Ready:          True',
      'Conditions:',
      '  Type              Status',
      '  Initialized       True',
      '  Ready             False',
      'QoS Class:        Burstable',
    ].join('\n');
    const m = parseMemory(conditions);
    expect(kept(m, 'Ready             False')).toBe(
      'Conditions:\n  Type              Status\n  Ready             False',
    );
  });

  it('reads systemctl status (keys aligned on the colon) and docker info (fields under a key alone)', () => {
    const status = [
      '● nginx.service - A high performance web server',
      '     Loaded: loaded (/lib/systemd/system/nginx.service; enabled)',
      '     Active: active (running) since Tue 2024-11-12 08:14:02 CET; 2h ago',
      '       Docs: man:nginx(8)',
      '   Main PID: 1240 (nginx)',
      '     Memory: 6.1M',
      '     CGroup: /system.slice/nginx.service',
      '             └─1241 "nginx: worker process"',
    ].join('\n');
    expect(isFieldTree(status)).toBe(true);
    const m = parseMemory(status);
    // Right-aligned keys are siblings, not a field under another.
    expect(kept(m, 'Docs:')).toBe('       Docs: man:nginx(8)');
    expect(unit(m, 'CGroup').text).toContain('worker process');
    const info = [
      'Server:',
      ' Containers: 12',
      '  Running: 3',
      '  Stopped: 9',
      ' Images: 41',
      ' CPUs: 4',
      ' Total Memory: 15.6GiB',
    ];
    expect(kept(parseMemory(info.join('\n')), 'Running')).toBe('Server:\n Containers: 12\n  Running: 3');
  });

  it('leaves notes, chats and YAML-like notes with one space after the colon alone', () => {
    const notes = [
      'Thema: Quadratische Ergänzung',
      'Hausaufgabe: Buch S. 84, Nr. 3',
      'Tipp: Klammer zuerst.',
      'Termin: Mittwoch',
      'Preis: 35 €',
      'Ort: online',
    ].join('\n');
    expect(isFieldTree(notes)).toBe(false);
    const chat = [
      'Anna:   hi',
      'Ben:    hello',
      'Anna:   lunch at 12?',
      'Ben:    sure',
      'Anna:   great',
      'Ben:    see you',
    ];
    expect(isFieldTree(chat.join('\n'))).toBe(false);
    // An interview pasted indented, its names padded to one column (re-read of session 33).
    const interview = [
      '  Interviewer:   Where did you grow up?',
      '  Dana:          In Porto, until I was twelve.',
      '  Interviewer:   And then?',
      '  Dana:          We moved to Lisbon.',
      '  Interviewer:   Why?',
      '  Dana:          My father got a job at the port authority there.',
    ];
    expect(isFieldTree(interview.join('\n'))).toBe(false);
    expect(parseMemory(interview.join('\n')).format).toBe('dialogue');
  });

  it('reads a line with a long run of spaces in linear time (re-read of session 33)', () => {
    // The value was lazy before "[ \t]*$": 40,000 spaces took ~1.3 s.
    const t = performance.now();
    expect(isFieldTree(`Note:  a${' '.repeat(40000)}b\nline two\n`)).toBe(false);
    expect(performance.now() - t).toBeLessThan(200);
  });
});

describe('notes holding a compose file in a code fence (session 34, H2)', () => {
  const notes = [
    '# Deployment notes',
    '',
    '```yaml',
    'services:',
    '  api:',
    '    image: ghcr.io/acme/api:4.2.0',
    '    environment:',
    '      DATABASE_URL: postgres://app:app@db:5432/shop',
    '      LOG_LEVEL: info',
    '  db:',
    '    image: postgres:16.4',
    '    environment:',
    '      POSTGRES_USER: app',
    '```',
    '',
    'The database volume must be backed up nightly.',
  ].join('\n');
  // Each fence was a line of its own: kept apart from its code, "```yaml" was left open.
  it('reads no fence line as a unit, the fenced fields still read as a tree', () => {
    const m = parseMemory(notes);
    expect(m.tree).toBe(true);
    expect(m.units.map((u) => u.text.trim())).not.toContain('```yaml');
    expect(m.units.map((u) => u.text.trim())).not.toContain('```');
    expect(m.units.map((u) => u.text.trim())).toContain('image: postgres:16.4');
  });
});
