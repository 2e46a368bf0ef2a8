import { randomUUID } from 'node:crypto';
import { ffbKatalog, STANDARD_TAERSKLER, type PligtEvent } from '@hub/domain';
import { afgivBestilling, FFB } from '@hub/domain/testing/fixtures';
import { StoreUnavailableError, type EventStore } from '@hub/event-store';
import { requirePostgres } from '@hub/event-store/testing/postgres';
import { accepteret, myndighedFor, nyIndsats, udfoererFor, type Indsats } from '@hub/relay/testing/domain-writer';
import { RulesWorker } from './rules-worker';
import { RegelHarness, type RuleStateBackend } from './testing/harness';

/**
 * Durability of the rules worker: restarts, replays into fresh state, crashes between deciding and carrying out; on
 * each rule state adapter (the PostgreSQL one is what instances share in production).
 */

let h: RegelHarness;
afterEach(async () => h?.close());

const sendte = (events: readonly { event: PligtEvent }[]) => events.filter((e) => e.event.type === 'PaamindelseSendt');

/** Afgiv only: a bestilling with its kvittering deadlines pending. */
const afgiv = (i: Indsats) =>
  h.writer.bestilling(
    afgivBestilling({
      bestillingId: i.bestillingId,
      borgerId: i.borgerId,
      kommunekode: i.kommunekode,
      tilbudId: i.tilbudId,
    }),
    myndighedFor(i.kommunekode),
  );

/** An event of the bestilling's stream this build cannot read. */
const ulaeselig = (i: Indsats) =>
  h.store.appendToStream(
    `bestilling-${i.bestillingId}`,
    [
      {
        eventId: randomUUID(),
        type: 'BestillingOmdoebt',
        data: {},
        metadata: {
          schemaVersion: 1,
          occurredAt: h.now(),
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: { party: 'myndighed', subject: 'x' },
        },
      },
    ],
    { expectedRevision: 'any' },
  );

/** A store whose appends to tilbagemeldingspligt streams fail: before writing, or after writing (a lost ack). */
function svigtendeStore(store: EventStore, naar: 'foer' | 'efter', state: { svigt: boolean }): EventStore {
  return {
    ...store,
    subscribeToAll: (o) => store.subscribeToAll(o),
    readStream: (id, o) => store.readStream(id, o),
    readAll: (o) => store.readAll(o),
    headPosition: () => store.headPosition(),
    close: async () => undefined,
    appendToStream: async (streamId, events, options) => {
      if (!streamId.startsWith('tilbagemeldingspligt-') || !state.svigt)
        return store.appendToStream(streamId, events, options);
      if (naar === 'foer') throw new StoreUnavailableError('the disk is gone (test)');
      await store.appendToStream(streamId, events, options);
      throw new StoreUnavailableError('the acknowledgement was lost (test)');
    },
  };
}

/** A history that makes most rules fire, cancel and close something. */
async function travlHistorie(): Promise<Indsats[]> {
  const indsatser = [nyIndsats('0101', 'tilbud-a'), nyIndsats('0147', 'tilbud-b'), nyIndsats('0101', 'tilbud-b')];
  for (const i of indsatser) {
    await accepteret(h.writer, i);
    const udfoerer = udfoererFor(i.tilbudId);
    await h.writer.bestilling(
      {
        type: 'RegistrerVumObservation',
        data: {
          bestillingId: i.bestillingId,
          observationId: randomUUID(),
          tekst: 'Borgeren vil ikke deltage.',
          undertemaer: [FFB.indgaaISamspil],
          paavirkerIndsatsen: true,
          borgerTagerIkkeImod: true,
          observeret: h.now(),
        },
      },
      udfoerer,
    );
  }
  await h.frem(5); // kvittering is in place; krav are raised
  const [a] = indsatser as [Indsats];
  const kravA = (await h.pligt(a.bestillingId)).find(
    (e) => e.type === 'TilbagemeldingKraevet' && e.data.trigger === 'T1',
  );
  await h.tilbagemelding(a.bestillingId, a.tilbudId, {
    trigger: 'T1',
    opfylderKravId: (kravA?.data as { kravId: string }).kravId,
  });
  await h.frem(20); // overdue krav for the others; the tilbagemelding is escalated
  await h.writer.bestilling(
    {
      type: 'AendrBestilling',
      data: { bestillingId: a.bestillingId, begrundelse: 'Ny version.', indsatsformaal: 'Nyt formål.' },
    },
    myndighedFor(a.kommunekode),
  );
  await h.frem(10); // the new version is reminded and escalated
  // What the reminders waited for happens: they are afsluttet.
  await h.writer.bestilling(
    { type: 'KvitterBestilling', data: { bestillingId: a.bestillingId, version: 2 } },
    udfoererFor(a.tilbudId),
  );
  await h.frem(1);
  return indsatser;
}

describe.each<RuleStateBackend>(['sqlite', 'postgres'])('rules worker durability on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'postgres') await requirePostgres();
  });

  it('deadlines set before a restart fire after it, once', async () => {
    h = new RegelHarness('2026-03-01T09:00:00.000Z', {}, backend);
    const i = nyIndsats();
    await afgiv(i);
    await h.roligt();
    const foer = (await h.worker.frister(i.bestillingId)).filter((f) => f.regelId === 'BESTILLING-KVITTERING');
    expect(foer.map((f) => f.status)).toEqual(['afventer', 'afventer']);
    await h.genstart();
    await h.frem(10);
    const efter = sendte(await h.allePligt());
    expect(efter.map((e) => (e.event.data as { art: string }).art)).toEqual([
      'bestilling_ikke_kvitteret',
      'bestilling_ikke_kvitteret',
    ]);
    // Restart again and tick again: nothing fires twice.
    await h.genstart();
    await h.frem(1);
    await h.worker.tick();
    expect(sendte(await h.allePligt())).toHaveLength(2);
    expect(
      (await h.worker.frister(i.bestillingId))
        .filter((f) => f.regelId === 'BESTILLING-KVITTERING')
        .map((f) => f.status),
    ).toEqual(['udloest', 'udloest']);
  });

  it('replaying the log from position 0 into a fresh rule state records no notification twice', async () => {
    h = new RegelHarness('2026-03-01T09:00:00.000Z', {}, backend);
    await travlHistorie();
    const foer = await h.allePligt();
    const typer = new Set(foer.map((e) => e.event.type));
    // The history exercised every kind of rule output.
    expect([...typer].sort()).toEqual([
      'PaamindelseAfsluttet',
      'PaamindelseSendt',
      'TilbagemeldingKraevet',
      'TilbagemeldingskravBortfaldet',
      'TilbagemeldingskravOpfyldt',
    ]);
    const status = await h.worker.status();
    await h.genstart('fresh');
    await h.frem(0);
    const efter = await h.allePligt();
    expect(efter.map((e) => e.eventId)).toEqual(foer.map((e) => e.eventId));
    const fresh = await h.worker.status();
    expect(fresh.checkpoint).toBe(await h.store.headPosition());
    expect(fresh.fristerAfventer).toBe(status.fristerAfventer);
    // And the fresh state goes on as the old one would: the next deadline fires exactly once.
    await h.frem(200);
    const senere = await h.allePligt();
    expect(senere.length).toBeGreaterThan(efter.length);
    expect(new Set(senere.map((e) => e.eventId)).size).toBe(senere.length);
    const ids = senere.flatMap((e) => (e.event.type === 'PaamindelseSendt' ? [e.event.data.paamindelseId] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(['foer', 'efter'] as const)(
    'a store that fails %s appending a rule command: the command waits in the outbox and is carried out once after a restart',
    async (naar) => {
      h = new RegelHarness('2026-03-20T09:00:00.000Z', {}, backend);
      const svigt = { svigt: true };
      await h.genstart('rules', svigtendeStore(h.store, naar, svigt), false);
      const i = nyIndsats();
      await accepteret(h.writer, i);
      await h.writer.bestilling(
        {
          type: 'RegistrerVumObservation',
          data: {
            bestillingId: i.bestillingId,
            observationId: randomUUID(),
            tekst: 'Vil ikke.',
            undertemaer: [FFB.indgaaISamspil],
            paavirkerIndsatsen: false,
            borgerTagerIkkeImod: true,
            observeret: h.now(),
          },
        },
        udfoererFor(i.tilbudId),
      );
      // The worker reads the events and decides, but cannot carry the krav out. After a lost acknowledgement the krav
      // event is in the log; the batch that reads it commits first and empties the outbox just after: wait for both.
      const settled = async () => {
        const st = await h.worker.status();
        return st.checkpoint >= (await h.store.headPosition()) && (naar === 'foer' || st.udbakke === 0);
      };
      for (let n = 0; n < 300 && !(await settled()); n++) await new Promise((r) => setTimeout(r, 10));
      const waiting = await h.worker.status();
      // Before: it waits in the outbox. After a lost acknowledgement: the next batch carried it out again (a no-op).
      expect(waiting.udbakke).toBe(naar === 'foer' ? 1 : 0);
      expect((await h.pligt(i.bestillingId)).filter((e) => e.type === 'TilbagemeldingKraevet')).toHaveLength(
        naar === 'efter' ? 1 : 0,
      );
      // "Crash" and come back on a working store.
      svigt.svigt = false;
      await h.genstart();
      const krav = (await h.pligt(i.bestillingId)).filter((e) => e.type === 'TilbagemeldingKraevet');
      expect(krav).toHaveLength(1);
      expect((await h.worker.status()).udbakke).toBe(0);
    },
  );

  it('stops at an event of its categories it cannot read, reports where, and does not spin', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z', {}, backend);
    const i = nyIndsats();
    await accepteret(h.writer, i);
    await h.roligt();
    const before = await h.worker.status();
    await ulaeselig(i);
    const position = await h.store.headPosition();
    await expect(h.worker.idle(2_000)).rejects.toThrow('blocked at BestillingOmdoebt');
    const status = await h.worker.status();
    expect(status).toMatchObject({
      state: 'blocked',
      code: 'BestillingOmdoebt',
      position,
      checkpoint: before.checkpoint,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.worker.status()).restarts).toBe(0);
  });

  it('replays into fresh state exactly as the first run judged: a second observation while a krav was open raises none', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z', {}, backend);
    const i = nyIndsats();
    await accepteret(h.writer, i);
    const vumObs = async (o: { borgerTagerIkkeImod?: boolean; paavirkerIndsatsen?: boolean }) =>
      h.writer.bestilling(
        {
          type: 'RegistrerVumObservation',
          data: {
            bestillingId: i.bestillingId,
            observationId: randomUUID(),
            tekst: 'Vil ikke.',
            undertemaer: [FFB.indgaaISamspil],
            paavirkerIndsatsen: o.paavirkerIndsatsen ?? false,
            borgerTagerIkkeImod: o.borgerTagerIkkeImod ?? false,
            observeret: h.now(),
          },
        },
        udfoererFor(i.tilbudId),
      );
    // Both observations are read in one batch before the first krav is carried out: the second must see it open.
    await h.worker.stop();
    await vumObs({ borgerTagerIkkeImod: true, paavirkerIndsatsen: true });
    await vumObs({ borgerTagerIkkeImod: true, paavirkerIndsatsen: true });
    await h.genstart();
    const [t1, t3, ...andre] = (await h.pligt(i.bestillingId)).filter((e) => e.type === 'TilbagemeldingKraevet');
    expect(andre).toEqual([]);
    await h.tilbagemelding(i.bestillingId, i.tilbudId, {
      trigger: 'T1',
      opfylderKravId: (t1?.data as { kravId: string }).kravId,
    });
    await h.tilbagemelding(i.bestillingId, i.tilbudId, {
      trigger: 'T3',
      opfylderKravId: (t3?.data as { kravId: string }).kravId,
    });
    await h.frem(1);
    const foer = await h.allePligt();
    await h.genstart('fresh');
    await h.frem(0);
    expect((await h.allePligt()).map((e) => e.eventId)).toEqual(foer.map((e) => e.eventId));
  });

  it('replays under changed thresholds without sending an old reminder again', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z', {}, backend);
    const i = nyIndsats();
    await afgiv(i);
    await h.frem(5); // reminded at 3 days
    await h.writer.bestilling(
      { type: 'KvitterBestilling', data: { bestillingId: i.bestillingId, version: 1 } },
      udfoererFor(i.tilbudId),
    );
    await h.frem(1);
    const foer = await h.allePligt();
    expect(sendte(foer)).toHaveLength(1);
    await h.genstart('fresh', h.store, true, { kvitteringPaamindelseDage: 4 });
    await h.frem(0);
    expect((await h.allePligt()).map((e) => e.eventId)).toEqual(foer.map((e) => e.eventId));
  });

  it('a worker that cannot fire a due deadline yet (blocked, or still reading) looks again once a tick, not in a loop', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z', {}, backend);
    const i = nyIndsats();
    await afgiv(i);
    await h.roligt();
    await h.worker.stop();
    // An event the rules cannot read: the worker stops before it, with due deadlines it may not fire.
    await ulaeselig(i);
    let looks = 0;
    const counting: EventStore = {
      ...h.store,
      headPosition: () => {
        looks += 1;
        return h.store.headPosition();
      },
    };
    h.worker = new RulesWorker({
      store: counting,
      ...h.ruleState(),
      katalog: ffbKatalog,
      taerskler: () => STANDARD_TAERSKLER,
      clock: () => new Date('2026-04-30T00:00:00.000Z'),
      tickMs: 100,
    });
    h.worker.start();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await h.worker.status()).state).toBe('blocked');
    expect(looks).toBeGreaterThan(3);
    expect(looks).toBeLessThan(25);
    expect(sendte(await h.allePligt())).toEqual([]);
  });
});
