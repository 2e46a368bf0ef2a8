import type { AuditEntry, AuditLog } from '../audit-log';

const BORGER_A = '11111111-1111-4111-8111-111111111111';
const BORGER_B = '22222222-2222-4222-8222-222222222222';

export const auditEntry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  at: '2026-01-10T10:00:00.000Z',
  party: 'myndighed',
  subject: 'sagsbehandler-1',
  kommunekode: '0101',
  borgerId: BORGER_A,
  action: 'laes',
  channel: { kind: 'http', method: 'GET', route: '/bestillinger/:bestillingId' },
  purpose: 'sagsbehandling',
  correlationId: 'req-1',
  ...over,
});

/**
 * The audit log's contract, run on every adapter. `open` opens the same store again each call (a restart);
 * `cleanup` removes it.
 */
export function describeAuditLogContract(
  name: string,
  setup: () => Promise<{ open: () => Promise<AuditLog>; cleanup: () => Promise<void> }>,
): void {
  describe(`AuditLog contract: ${name}`, () => {
    let open: () => Promise<AuditLog>;
    let cleanup: () => Promise<void>;
    const opened: AuditLog[] = [];
    const log = async () => {
      const l = await open();
      opened.push(l);
      return l;
    };
    beforeEach(async () => {
      ({ open, cleanup } = await setup());
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((l) => l.close()));
      await cleanup();
    });

    it('returns every entry of a borger in time order, field for field, and none of another borger', async () => {
      const audit = await log();
      const udfoerer = auditEntry({
        at: '2026-01-10T09:00:00.000Z',
        party: 'udfoerer',
        subject: 'paedagog',
        kommunekode: undefined,
        tilbudId: 'tilbud-7',
        action: 'skriv',
        channel: { kind: 'kafka', topic: 'ffb.udfoerer.tilbud-7.v1' },
        purpose: 'levering',
        correlationId: 'ev-1',
      });
      const { kommunekode: _, ...udfoererUdenKommune } = udfoerer;
      await audit.append([auditEntry(), auditEntry({ borgerId: BORGER_B, correlationId: 'req-2' })]);
      await audit.append([udfoererUdenKommune]);
      expect(await audit.forBorger(BORGER_A)).toEqual([udfoererUdenKommune, auditEntry()]);
      expect(await audit.forBorger(BORGER_B)).toEqual([auditEntry({ borgerId: BORGER_B, correlationId: 'req-2' })]);
      expect(await audit.forBorger('33333333-3333-4333-8333-333333333333')).toEqual([]);
    });

    it('keeps the append order of entries with the same time, and keeps them after a restart', async () => {
      const first = await log();
      const entries = ['a', 'b', 'c'].map((c) => auditEntry({ correlationId: c }));
      await first.append(entries);
      await first.close();
      expect((await (await log()).forBorger(BORGER_A)).map((e) => e.correlationId)).toEqual(['a', 'b', 'c']);
    });

    it('writes a batch of 5,000 entries (a page of 500 borgere ten times over) in one call', async () => {
      const audit = await log();
      const batch = Array.from({ length: 5000 }, (_, i) =>
        auditEntry({ borgerId: i % 500 === 0 ? BORGER_B : BORGER_A, correlationId: `r${i}` }),
      );
      await audit.append(batch);
      expect(await audit.forBorger(BORGER_B)).toHaveLength(10);
      expect(await audit.forBorger(BORGER_A)).toHaveLength(4990);
    });

    it('refuses a malformed entry and writes nothing of its batch', async () => {
      const audit = await log();
      await expect(audit.append([auditEntry(), auditEntry({ at: 'yesterday' })])).rejects.toThrow(/bad time/);
      await expect(audit.append([auditEntry({ purpose: '' })])).rejects.toThrow();
      expect(await audit.forBorger(BORGER_A)).toEqual([]);
    });

    it('purges only the entries before the retention limit and says how many', async () => {
      const audit = await log();
      await audit.append([
        auditEntry({ at: '2020-01-01T00:00:00.000Z', correlationId: 'old' }),
        auditEntry({ at: '2021-06-01T00:00:00.000Z', borgerId: BORGER_B, correlationId: 'old-b' }),
        auditEntry({ at: '2026-01-01T00:00:00.000Z', correlationId: 'new' }),
      ]);
      expect(await audit.purge(new Date('2025-12-31T23:59:59.999Z'))).toBe(2);
      expect((await audit.forBorger(BORGER_A)).map((e) => e.correlationId)).toEqual(['new']);
      expect(await audit.forBorger(BORGER_B)).toEqual([]);
      expect(await audit.purge(new Date('2025-12-31T23:59:59.999Z'))).toBe(0);
    });

    it('offers no way to change or delete an entry other than purge', async () => {
      const audit = await log();
      expect(Object.keys(audit).sort()).toEqual(['append', 'close', 'forBorger', 'purge']);
    });
  });
}
