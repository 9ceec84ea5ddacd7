import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { isLog } from './log-lines.ts';
import { parseMemory } from './memory-units.ts';
import { selectForQuery } from './select.ts';

/** An application log with a Java stack trace and a chatops line of several sentences. */
const APP = [
  '2025-04-02T09:14:03.118Z INFO  [billing-api] [pod=billing-api-5d8f-x2] Deploy v2.4.0 started by ci-bot',
  '2025-04-02T09:16:41.902Z ERROR [billing-api] [pod=billing-api-5d8f-x2] Request failed POST /v1/invoices status=500',
  'com.acme.billing.db.PoolTimeoutException: Timeout after 10000 ms waiting for a connection (pool=billing)',
  '    at com.acme.billing.db.Pool.acquire(Pool.java:120)',
  '    at com.acme.billing.repo.InvoiceRepository.save(InvoiceRepository.java:61)',
  '    ... 38 more',
  '2025-04-02T09:18:10.004Z WARN  [ledger-sync] Holding 31 connections on billing (expected <= 5). Open transaction since 09:12:00',
  '2025-04-02T09:20:55.310Z INFO  [chatops] Ana Costa: "Not the deploy. ledger-sync holds one transaction per run. Reverting is NOT needed for billing-api."',
  '2025-04-02T09:24:12.771Z INFO  [ledger-sync] Run 12 of 12 committed. 4,120 entries written, 0 failed.',
  '2025-04-03T02:00:00.001Z INFO  [scheduler] Cron job reindex started',
].join('\n');

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

describe('application logs (review 5, F-08 / F-18)', () => {
  it('reads a log line by line, a stack trace with the line above it, its stamp, level and tag as the label', () => {
    const m = parseMemory(APP);
    expect(m.log).toBe(true);
    expect(m.units.map((u) => u.text.split('\n')[0]?.slice(0, 24))).toEqual([
      '2025-04-02T09:14:03.118Z',
      '2025-04-02T09:16:41.902Z',
      '2025-04-02T09:18:10.004Z',
      '2025-04-02T09:20:55.310Z',
      '2025-04-02T09:24:12.771Z',
      '2025-04-03T02:00:00.001Z',
    ]);
    const trace = m.units[1];
    expect(trace?.text.split('\n')).toHaveLength(5);
    expect(trace?.text.endsWith('    ... 38 more')).toBe(true);
    expect(trace?.label).toBe('2025-04-02T09:16:41.902Z ERROR [billing-api]');
    expect(trace?.speaker).toBe('billing-api');
    // Kept as written: no sentence cut, no telegraphic style.
    expect(m.units.every((u) => u.kind === 'code')).toBe(true);
    // Grouped by the day of their stamps.
    expect(m.groups.map((g) => g.headerDate)).toEqual(['2025-04-02', '2025-04-03']);
  });

  it('keeps a line whole with its stamp and tag, never its 2nd sentence alone, and a trace whole or not at all', async () => {
    const r = await selectForQuery(APP, {
      query: 'Is reverting needed for billing-api?',
      budget: 90,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toContain(
      '2025-04-02T09:20:55.310Z INFO  [chatops] Ana Costa: "Not the deploy. ledger-sync holds one transaction per run. Reverting is NOT needed for billing-api."',
    );
    for (const line of r.text.split('\n'))
      expect(line).toMatch(/^(?:\d{4}-\d{2}-\d{2}T|com\.acme|\s+at |\s+\.\.\. \d+ more)/);
    if (r.text.includes('... 38 more')) expect(r.text).toContain('Request failed POST /v1/invoices');
  });

  it('reads syslog, nginx and Python logging the same way, a traceback under its line', () => {
    const syslog = [
      'Dec  6 06:52:01 web-1 sshd[812]: Accepted publickey for deploy from 10.0.0.4 port 52114 ssh2',
      'Dec  6 06:52:09 web-1 sudo[830]: deploy : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/bin/systemctl restart app',
      'Dec  6 06:52:10 web-1 systemd[1]: Stopped App server. Started App server.',
    ].join('\n');
    const s = parseMemory(syslog);
    expect(s.log).toBe(true);
    expect(s.units.map((u) => u.speaker)).toEqual(['web-1 sshd[812]', 'web-1 sudo[830]', 'web-1 systemd[1]']);
    expect(s.units[2]?.text).toBe('Dec  6 06:52:10 web-1 systemd[1]: Stopped App server. Started App server.');

    const nginx = [
      '203.0.113.7 - - [06/Dec/2026:06:52:01 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
      '203.0.113.9 - - [06/Dec/2026:06:52:03 +0000] "POST /login HTTP/1.1" 401 31 "-" "curl/8.5"',
      '2026/12/06 06:52:04 [error] 31#31: *9 upstream timed out. Retrying upstream app:8080.',
    ].join('\n');
    const n = parseMemory(nginx);
    expect(n.units).toHaveLength(3);
    expect(n.groups[0]?.headerDate).toBe('6 Dec 2026');

    const python = [
      '2026-12-06 06:52:01,118 INFO [worker] Job 41 started.',
      '2026-12-06 06:52:02,410 ERROR [worker] Job 41 failed. Will retry.',
      'Traceback (most recent call last):',
      '  File "worker.py", line 88, in run',
      '    total = rows / count',
      'ZeroDivisionError: division by zero',
      '2026-12-06 06:52:05,002 INFO [worker] Job 41 succeeded on retry.',
    ].join('\n');
    const p = parseMemory(python);
    expect(p.units).toHaveLength(3);
    expect(p.units[1]?.text.endsWith('ZeroDivisionError: division by zero')).toBe(true);
  });

  it('leaves a stamped chat and a list of dated facts as they were read', () => {
    const chat = [
      '[2025-03-01 09:14] Dana: I moved to Lisbon in May.',
      '[2025-03-01 09:15] Sam: Nice! Which area?',
      '[2025-03-01 09:16] Dana: Alfama. Near the river.',
    ].join('\n');
    expect(isLog(chat)).toBe(false);
    expect(parseMemory(chat).units[0]?.speaker).toBe('Dana');
    const facts = [
      '2023-09-12: diagnosed with celiac disease',
      '2024-01-03: started a gluten-free diet',
      '2024-06-30: moved to Porto',
    ];
    expect(isLog(facts.join('\n'))).toBe(false);
    // Nor stamped notes with no level or tag: an assistant's memory (re-read of session 31).
    const notes = [
      '[2026-03-01 09:12] User is allergic to penicillin.',
      '[2026-03-04 08:05] Always answer the user in Spanish.',
      '[2026-03-09 19:40] Moved to Utrecht with her partner.',
      '[2026-04-02 07:30] Works at Kestrel Logistics as a planner.',
    ].join('\n');
    expect(isLog(notes)).toBe(false);
    expect(parseMemory(notes).log).not.toBe(true);
  });

  it("reads a syslog line's host and process as its head, with or without a pid (re-read of session 31)", () => {
    const syslog = [
      'Dec  6 06:52:01 web1 sshd[812]: Accepted publickey for deploy from 10.0.0.4',
      'Dec  6 06:52:02 web1 kernel: Out of memory: Killed process 4242 (java)',
      'Dec  6 06:52:03 web1 systemd[1]: app.service: Main process exited, code=killed',
      'Dec  6 06:52:04 web1 kernel: oom_reaper: reaped process 4242 (java)',
    ].join('\n');
    const m = parseMemory(syslog);
    expect(m.log).toBe(true);
    expect(m.units).toHaveLength(4);
    expect(m.units[1]?.speaker).toBe('web1 kernel');
  });

  it('reads kubectl get events as a log: a record an event, as written, its age, type, reason and object its head', async () => {
    const events = [
      'LAST SEEN   TYPE      REASON              OBJECT                              MESSAGE',
      '58m         Normal    ScalingReplicaSet   deployment/checkout-api             Scaled up replica set checkout-api-7c9d to 3',
      '49m         Warning   Unhealthy           pod/checkout-api-7c9d-x2kqp         Readiness probe failed: context deadline exceeded',
      '35m         Warning   FailedMount         pod/reports-worker-6f9c-2kd8s       MountVolume.SetUp failed for volume "reports-secrets" : secret "reports-s3-creds" not found',
      '20m         Warning   Failed              pod/reports-worker-6f9c-2kd8s       Failed to pull image "registry.internal/reports-worker:0.9.3": not found',
      '2m          Normal    Started             pod/checkout-api-7c9d-x2kqp         Started container checkout-api',
    ].join('\n');
    const m = parseMemory(events);
    expect(m.log).toBe(true);
    expect(m.units).toHaveLength(6);
    expect(m.units[2]?.label).toBe('49m         Warning   Unhealthy           pod/checkout-api-7c9d-x2kqp');
    const r = await selectForQuery(events, {
      query: 'Why does the reports-worker pod fail to start?',
      budget: 70,
      count,
      style: 'telegraphic',
    });
    expect(r.text).toContain('Failed to pull image "registry.internal/reports-worker:0.9.3": not found');
  });

  it('ranks a kubectl event by its reason and object too, not by its message alone (review h3: OOMKilling never kept)', async () => {
    const events = [
      'LAST SEEN   TYPE      REASON              OBJECT                              MESSAGE',
      '57m         Normal    Scheduled           pod/checkout-api-7c9d-x2kqp         Successfully assigned shop-prod/checkout-api-7c9d-x2kqp to ip-10-0-3-41',
      '49m         Warning   Unhealthy           pod/checkout-api-7c9d-x2kqp         Readiness probe failed: context deadline exceeded',
      '41m         Warning   OOMKilling          node/ip-10-0-3-41                   Memory cgroup out of memory: Killed process 28817 (java) total-vm:2301124kB',
      '41m         Normal    Killing             pod/checkout-api-7c9d-x2kqp         Container checkout-api failed liveness probe, will be restarted',
      '30m         Warning   BackOff             pod/checkout-api-7c9d-x2kqp         Back-off restarting failed container checkout-api',
      '2m          Normal    Started             pod/checkout-api-7c9d-x2kqp         Started container checkout-api',
    ].join('\n');
    const r = await selectForQuery(events, { query: 'Was the checkout-api container OOM killed?', budget: 90, count });
    expect(r.text).toContain('OOMKilling');
    // The label stays the record's head, as written.
    expect(parseMemory(events).units[3]?.label).toBe('41m         Warning   OOMKilling          node/ip-10-0-3-41');
  });
});
