import type { AuditEntry, AuditLog } from '@hub/audit';
import type { EventStore, RecordedEvent } from '@hub/event-store';
import { HttpProblem } from '../http/problem';
import { AuditRecorder, collect, touched } from './audit.recorder';
import { resolvePurpose, UDEN_FORMAAL } from './purpose';

const B1 = '11111111-1111-4111-8111-111111111111';
const B2 = '22222222-2222-4222-8222-222222222222';
const BESTILLING = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const DELMAAL = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';

const memoryLog = (fail = false) => {
  const appends: AuditEntry[][] = [];
  const log: AuditLog = {
    append: async (entries) => {
      if (fail) throw new Error('disk gone');
      appends.push([...entries]);
    },
    forBorger: async () => [],
    purge: async () => 0,
    close: async () => undefined,
  };
  return { log, appends };
};

const streams: Record<string, { borgerId: string }> = {
  [`bestilling-${BESTILLING}`]: { borgerId: B1 },
  [`delmaal-${DELMAAL}`]: { borgerId: B2 },
};
const reads: string[] = [];
const store = {
  readStream: async (streamId: string) => {
    reads.push(streamId);
    const data = streams[streamId];
    return data ? [{ type: 'X', data } as unknown as RecordedEvent] : [];
  },
} as unknown as EventStore;

const use = {
  caller: { party: 'udfoerer' as const, subject: 'bosted', tilbudId: 't-1' },
  action: 'laes' as const,
  channel: { kind: 'http' as const, method: 'GET', route: '/udfoerer/bestillinger' },
  purpose: 'levering',
  correlationId: 'c-1',
};

describe('collect', () => {
  it('finds every borgerId, and the bestillinger and delmål of objects that name no borger', () => {
    const t = touched();
    collect(
      {
        rows: [
          { borgerId: B1, bestillingId: 'x', delmaal: [{ delmaalId: 'not-needed' }] },
          { bestillingId: BESTILLING, items: [{ delmaalId: DELMAAL }] },
        ],
        streamId: `delmaal-${DELMAAL}`,
        nested: { deeper: [[{ borgerId: B2 }]] },
      },
      t,
    );
    expect([...t.borgere].sort()).toEqual([B1, B2]);
    expect([...t.bestillinger]).toEqual([BESTILLING]);
    expect([...t.delmaal]).toEqual([DELMAAL]);
  });
});

describe('AuditRecorder', () => {
  it('writes one batch for a list of many borgere, resolving bestillinger and delmål once (then cached)', async () => {
    const { log, appends } = memoryLog();
    const recorder = new AuditRecorder(log, store, null, () => new Date('2026-02-01T10:00:00Z'));
    const what = touched();
    for (let i = 0; i < 500; i++) what.borgere.add(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    what.bestillinger.add(BESTILLING);
    what.delmaal.add(DELMAAL);
    expect(await recorder.record(use, what)).toBe(502);
    expect(appends).toHaveLength(1);
    expect(appends[0]?.[0]).toMatchObject({ at: '2026-02-01T10:00:00.000Z', tilbudId: 't-1', purpose: 'levering' });
    reads.length = 0;
    await recorder.record(use, what);
    expect(reads).toEqual([]);
  });

  it('records nothing when nothing names a borger', async () => {
    const { log, appends } = memoryLog();
    expect(await new AuditRecorder(log, store, null, () => new Date()).record(use, touched())).toBe(0);
    expect(appends).toEqual([]);
  });

  it('answers 503 when the audit log cannot be written: the use is not served unlogged', async () => {
    const { log } = memoryLog(true);
    const what = touched();
    what.borgere.add(B1);
    const error = await new AuditRecorder(log, store, null, () => new Date()).record(use, what).catch((e) => e);
    expect(error).toBeInstanceOf(HttpProblem);
    expect([(error as HttpProblem).status, (error as HttpProblem).code]).toEqual([503, 'AUDIT.UTILGAENGELIG']);
  });
});

describe('resolvePurpose', () => {
  it('takes the token claim first, then the header; in development none is "ikke angivet"', () => {
    expect(resolvePurpose('oidc', 'fra token', 'fra header')).toBe('fra token');
    expect(resolvePurpose('oidc', undefined, 'fra header')).toBe('fra header');
    expect(resolvePurpose('hs256', undefined, undefined)).toBe(UDEN_FORMAAL);
  });

  it('refuses a missing purpose in production, and a malformed one anywhere', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return `${(error as HttpProblem).status} ${(error as HttpProblem).code}`;
      }
      return 'ok';
    };
    expect(code(() => resolvePurpose('oidc', undefined, undefined))).toBe('400 AUTH.FORMAAL_MANGLER');
    for (const bad of ['', 'x'.repeat(201), 'a\nb', 'a\u0000b'])
      expect(code(() => resolvePurpose('hs256', undefined, bad))).toBe('400 AUTH.UGYLDIGT_FORMAAL');
    expect(code(() => resolvePurpose('hs256', 'a\tb', undefined))).toBe('400 AUTH.UGYLDIGT_FORMAAL');
    expect(code(() => resolvePurpose('hs256', undefined, ['a', 'b']))).toBe('400 AUTH.UGYLDIGT_FORMAAL');
    expect(code(() => resolvePurpose('oidc', undefined, 'x'.repeat(200)))).toBe('ok');
  });
});
