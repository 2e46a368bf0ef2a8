import type { PligtCommand } from '@hub/domain';
import { regelId } from '../regel';
import type { RegelDoc } from '../regel-tilstand';
import {
  RuleStateCheckpointMovedError,
  type BatchCheckpoint,
  type Beslutning,
  type RuleStateStore,
} from '../rule-state';

/** One test's storage: `open` opens it (again), as a restarted or another instance would. */
export interface RuleStateFixture {
  open(): Promise<RuleStateStore>;
  cleanup(): Promise<void>;
}

const B1 = '0b0b0b0b-0000-4000-8000-000000000001';
const B2 = '0b0b0b0b-0000-4000-8000-000000000002';
const EV = (n: number) => `0e0e0e0e-0000-4000-8000-${String(n).padStart(12, '0')}`;
const KRAV = { id: 'T1-TAGER-IKKE-IMOD', version: 1 };
const KVIT = { id: 'BESTILLING-KVITTERING', version: 2 };

const doc = (bestillingId: string, n: number): RegelDoc =>
  ({
    bestillingId,
    kommunekode: '0101',
    version: n,
    indsatsmaal: [{ indsatsmaalId: EV(90 + n), evalueringer: ['ingen', 'fremgang'], forventetNiveau: null }],
    note: 'æøå ÆØÅ',
  }) as unknown as RegelDoc;

const krav = (bestillingId: string, n: number): PligtCommand => ({
  type: 'KraevTilbagemelding',
  data: {
    bestillingId,
    kommunekode: '0101',
    tilbudId: 'tilbud-a',
    regel: KRAV,
    aarsager: [EV(n)],
    kravId: EV(1000 + n),
    borgerId: EV(2000),
    trigger: 'T1',
    niveau: 'paakraevet',
    indsatsmaalId: null,
    delmaalId: null,
    begrundelse: 'Borgeren tager ikke imod indsatsen.',
    frist: '2026-04-01',
  },
});

const paamindelse = (bestillingId: string, n: number, forfald: string): PligtCommand => ({
  type: 'SendPaamindelse',
  data: {
    bestillingId,
    kommunekode: '0101',
    tilbudId: 'tilbud-a',
    regel: KVIT,
    aarsager: [EV(n)],
    paamindelseId: EV(3000 + n),
    art: 'bestilling_ikke_kvitteret',
    modtager: 'udfoerer',
    alvor: 'paamindelse',
    emne: { version: 1 },
    tekst: 'Bestillingen er ikke kvitteret.',
    forfald,
  },
});

/** Decisions as the worker builds them: on event `n` at position `n`. */
const kommando = (n: number, bestillingId = B1): Beslutning => ({
  regel: KRAV,
  udfald: { type: 'kommando', kommando: krav(bestillingId, n) },
  eventId: EV(n),
  position: n,
  bestillingId,
});
const frist = (n: number, subjekt: string, forfald: string, bestillingId = B1, regel = KVIT): Beslutning => ({
  regel,
  udfald: { type: 'frist', subjekt, forfald, kommando: paamindelse(bestillingId, n, forfald) },
  eventId: EV(n),
  position: n,
  bestillingId,
});
const annuller = (n: number, subjekt: string, bestillingId = B1, regel = KVIT): Beslutning => ({
  regel,
  udfald: { type: 'annuller', subjekt },
  eventId: EV(n),
  position: n,
  bestillingId,
});
const til = (after: number, position: number): BatchCheckpoint => ({ after, position, eventId: EV(position) });

const T1 = '2026-03-04T09:00:00.000Z';
const T2 = '2026-03-08T09:00:00.000Z';

/**
 * The contract every rule state adapter passes (design.md §2): what the rules worker relies on to resume after a
 * crash or on another instance: batches commit whole, deadlines fire once, the outbox keeps order and survives.
 */
export function describeRuleStateContract(name: string, fixture: () => Promise<RuleStateFixture>): void {
  describe(`rule state contract: ${name}`, () => {
    let f: RuleStateFixture;
    const opened: RuleStateStore[] = [];
    const open = async () => {
      const s = await f.open();
      opened.push(s);
      return s;
    };
    /** Closes the store and opens the same storage again, as after a restart. */
    const reopen = async (s: RuleStateStore) => (await s.close(), open());

    beforeEach(async () => {
      f = await fixture();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await f.cleanup();
    });

    it('starts empty', async () => {
      const s = await open();
      expect(await s.checkpoint()).toEqual({ position: 0, eventId: null });
      expect(await s.docs([B1])).toEqual(new Map());
      expect(await s.nextDue()).toBeNull();
      expect(await s.outbox(10)).toEqual([]);
      expect(await s.status(T1)).toEqual({
        checkpoint: 0,
        checkpointEventId: null,
        fristerAfventer: 0,
        fristerForfaldne: 0,
        udbakke: 0,
        afviste: 0,
        affyringer: {},
      });
    });

    it('reads back a committed batch after a reopen: documents, deadlines, outbox and checkpoint', async () => {
      let s = await open();
      const docs = new Map([
        [B1, doc(B1, 1)],
        [B2, doc(B2, 1)],
      ]);
      const n = await s.commit(docs, [kommando(3), frist(4, 'v1', T2), frist(5, 'v1', T1, B2)], til(0, 7));
      expect(n).toBe(1);
      s = await reopen(s);
      expect(await s.checkpoint()).toEqual({ position: 7, eventId: EV(7) });
      expect(await s.docs([B1, B2, EV(99)])).toEqual(docs);
      expect(await s.frister(B1)).toEqual([
        {
          // Derived from rule, subject and cause: the same deadline decided again is the same row.
          id: regelId('frist', KVIT.id, 'v1', EV(4)),
          regelId: KVIT.id,
          regelVersion: KVIT.version,
          subjekt: 'v1',
          forfald: T2,
          bestillingId: B1,
          kommando: paamindelse(B1, 4, T2),
          status: 'afventer',
        },
      ]);
      expect((await s.frister(B2)).map((r) => [r.forfald, r.status])).toEqual([[T1, 'afventer']]);
      expect((await s.outbox(10)).map((r) => r.kommando)).toEqual([krav(B1, 3)]);
      expect(await s.nextDue()).toBe(T1);
      expect(await s.status(T1)).toMatchObject({
        checkpoint: 7,
        checkpointEventId: EV(7),
        fristerAfventer: 2,
        fristerForfaldne: 1,
        udbakke: 1,
        afviste: 0,
        affyringer: { [KRAV.id]: 1 },
      });
    });

    it('keeps the outbox in decision order across batches, and a newer document replaces the older', async () => {
      const s = await open();
      await s.commit(new Map([[B1, doc(B1, 1)]]), [kommando(1), kommando(2, B2)], til(0, 2));
      await s.commit(new Map([[B1, doc(B1, 2)]]), [kommando(3), kommando(4, B2), kommando(5)], til(2, 5));
      const rows = await s.outbox(10);
      expect(rows.map((r) => r.kommando)).toEqual([krav(B1, 1), krav(B2, 2), krav(B1, 3), krav(B2, 4), krav(B1, 5)]);
      expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => a - b));
      expect(await s.outbox(2)).toEqual(rows.slice(0, 2));
      expect((await s.docs([B1])).get(B1)).toEqual(doc(B1, 2));
      expect((await s.status(T1)).affyringer).toEqual({ [KRAV.id]: 5 });
    });

    it('refuses a batch read after another checkpoint and writes nothing of it (compare-and-set)', async () => {
      const s = await open();
      await s.commit(new Map([[B1, doc(B1, 1)]]), [kommando(1)], til(0, 3));
      const stale = s.commit(new Map([[B1, doc(B1, 9)]]), [kommando(2), frist(2, 'v1', T1)], til(0, 2));
      await expect(stale).rejects.toBeInstanceOf(RuleStateCheckpointMovedError);
      await expect(stale).rejects.toMatchObject({ code: 'RULE_STATE.CHECKPOINT_MOVED', expected: 0, actual: 3 });
      expect(await s.checkpoint()).toEqual({ position: 3, eventId: EV(3) });
      expect((await s.docs([B1])).get(B1)).toEqual(doc(B1, 1));
      expect((await s.outbox(10)).map((r) => r.kommando)).toEqual([krav(B1, 1)]);
      expect(await s.frister(B1)).toEqual([]);
    });

    it('fires a deadline once, never before it falls due, same-time ones in decision order, across reopens', async () => {
      let s = await open();
      await s.commit(new Map(), [frist(1, 'a', T2), frist(2, 'b', T1), frist(3, 'c', T1)], til(0, 3));
      expect(await s.fireDue('2026-03-04T08:59:59.999Z', 10)).toBe(0);
      expect(await s.fireDue(T1, 1)).toBe(1);
      expect((await s.outbox(10)).map((r) => r.kommando)).toEqual([paamindelse(B1, 2, T1)]);
      expect(await s.fireDue(T1, 10)).toBe(1);
      expect(await s.nextDue()).toBe(T2);
      s = await reopen(s);
      expect(await s.fireDue(T1, 10)).toBe(0);
      expect(await s.fireDue(T2, 10)).toBe(1);
      s = await reopen(s);
      expect(await s.fireDue('2027-01-01T00:00:00.000Z', 10)).toBe(0);
      expect(await s.nextDue()).toBeNull();
      expect((await s.outbox(10)).map((r) => r.kommando)).toEqual([
        paamindelse(B1, 2, T1),
        paamindelse(B1, 3, T1),
        paamindelse(B1, 1, T2),
      ]);
      expect((await s.frister(B1)).map((r) => [r.subjekt, r.status])).toEqual([
        ['b', 'udloest'],
        ['c', 'udloest'],
        ['a', 'udloest'],
      ]);
      expect(await s.status(T2)).toMatchObject({ fristerAfventer: 0, udbakke: 3, affyringer: { [KVIT.id]: 3 } });
    });

    it('fires each deadline once when two openers of the same state fire at the same time', async () => {
      const a = await open();
      const beslutninger = Array.from({ length: 40 }, (_, i) => frist(i + 1, `s${i}`, T1, i % 2 ? B1 : B2));
      await a.commit(new Map(), beslutninger, til(0, 40));
      const b = await open();
      const fired = await Promise.all([a.fireDue(T1, 7), b.fireDue(T1, 7), a.fireDue(T1, 50), b.fireDue(T1, 50)]);
      expect(fired.reduce((x, y) => x + y, 0)).toBe(40);
      const ids = (await a.outbox(100)).map((r) => (r.kommando.data as { paamindelseId: string }).paamindelseId);
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
    });

    it('on cancellation deletes pending deadlines and closes a sent reminder once, caused by the first cancellation', async () => {
      let s = await open();
      await s.commit(new Map(), [frist(1, 'v1', T1), frist(2, 'v1', T2), frist(3, 'v2', T1)], til(0, 3));
      expect(await s.fireDue(T1, 10)).toBe(2);
      for (const row of await s.outbox(10)) await s.done(row.seq);
      s = await reopen(s);
      const n = await s.commit(new Map(), [annuller(8, 'v1'), annuller(9, 'v1')], til(3, 9));
      expect(n).toBe(1);
      expect((await s.outbox(10)).map((r) => r.kommando)).toEqual([
        {
          type: 'AfslutPaamindelse',
          data: { bestillingId: B1, paamindelseId: EV(3001), regel: KVIT, aarsager: [EV(8)] },
        },
      ]);
      // The pending one of v1 is gone; the fired one is kept, closed, so it never fires again; v2 is untouched.
      expect((await s.frister(B1)).map((r) => [r.subjekt, r.forfald, r.status])).toEqual([
        ['v1', T1, 'afsluttet'],
        ['v2', T1, 'udloest'],
      ]);
      expect(await s.fireDue('2027-01-01T00:00:00.000Z', 10)).toBe(0);
    });

    it('does not write a deadline a later decision of the same batch cancels, but writes one decided after it', async () => {
      const s = await open();
      await s.commit(
        new Map(),
        [frist(1, 'v1', T1), annuller(2, 'v1'), frist(3, 'v1', T2), frist(4, 'v2', T1), annuller(5, 'v3')],
        til(0, 5),
      );
      expect((await s.frister(B1)).map((r) => [r.subjekt, r.forfald, r.id])).toEqual([
        ['v2', T1, regelId('frist', KVIT.id, 'v2', EV(4))],
        ['v1', T2, regelId('frist', KVIT.id, 'v1', EV(3))],
      ]);
      expect(await s.outbox(10)).toEqual([]);
    });

    it('writes a deadline decided again on the same cause once', async () => {
      const s = await open();
      await s.commit(new Map(), [frist(1, 'v1', T1)], til(0, 1));
      await s.commit(new Map(), [frist(1, 'v1', T1)], til(1, 2));
      expect(await s.frister(B1)).toHaveLength(1);
      expect((await s.status(T1)).fristerAfventer).toBe(1);
    });

    it('keeps the outbox across a reopen until done, and a refused command aside with its code', async () => {
      let s = await open();
      await s.commit(new Map(), [kommando(1), kommando(2), kommando(3)], til(0, 3));
      const [first, second] = await s.outbox(2);
      await s.done((first as { seq: number }).seq);
      s = await reopen(s);
      expect((await s.outbox(10)).map((r) => r.kommando)).toEqual([krav(B1, 2), krav(B1, 3)]);
      await s.reject(second as { seq: number; kommando: PligtCommand }, 'TILBAGEMELDINGSKRAV.X', 'refused', T1);
      s = await reopen(s);
      expect((await s.outbox(10)).map((r) => r.kommando)).toEqual([krav(B1, 3)]);
      expect(await s.status(T1)).toMatchObject({ udbakke: 1, afviste: 1 });
    });
  });
}
