import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bestilling,
  bestillingFolding,
  ffbKatalog,
  pligt,
  pligtFolding,
  STANDARD_REGLER,
  toBestillingStreamId,
  toPligtStreamId,
  type BestillingCommand,
  type Bortfaldsaarsag,
  type KravNiveau,
  type KravTrigger,
  type Modtager,
  type PligtCommand,
} from '@hub/domain';
import { afgivBestilling } from '@hub/domain/testing/fixtures';
import { handleCommand, openSqliteEventStore, readState, type EventStore } from '@hub/event-store';
import { Projector } from './projector';
import { openPostgresReadDb, openSqliteReadDb, type ReadDb } from './read-db';
import type { Scope } from './queries';
import type { Tables } from './read-model';
import {
  evolvePligt,
  tilbagemeldingspligt,
  type PligtDoc,
  type PligtHubEvent,
} from './tilbagemeldingspligt.read-model';
import * as q from './tilbagemeldingspligt.queries';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';

/** Day n of the scenario, at 10:00 UTC: its date part is the day's date everywhere. */
const dag = (n: number) => new Date(Date.UTC(2026, 2, 1, 10) + n * 86_400_000).toISOString();
const dato = (n: number) => dag(n).slice(0, 10);
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const IDAG = 20;

const B = {
  b1: { bestillingId: uuid(1), kommunekode: '0101', tilbudId: 'tilbud-a' },
  b2: { bestillingId: uuid(2), kommunekode: '0101', tilbudId: 'tilbud-b' },
  // Another kommune's bestilling at the same tilbud: tilbud-a sees it, kommune 0101 does not.
  b3: { bestillingId: uuid(3), kommunekode: '0147', tilbudId: 'tilbud-a' },
};
type Part = (typeof B)[keyof typeof B];

/**
 * The scenario as data: each krav, the day it is required, its frist, and how (and whether) it is met and kvitteret,
 * or lapses. `naevnt`: the tilbagemelding names the krav (opfylderKravId), and the rules record it the next day as
 * well; `regel`: a tilbagemelding that does not name it is kvitteret first, and only then do the rules record the
 * match. `bortfaldet`: the rules let the krav lapse that day (after a tilbagemelding of the same day).
 */
interface KravSpec {
  readonly kravId: string;
  readonly part: Part;
  readonly trigger: KravTrigger;
  readonly niveau: KravNiveau;
  readonly kraevet: number;
  readonly frist: number;
  readonly opfyldt: {
    readonly dag: number;
    readonly via: 'naevnt' | 'regel';
    readonly kvitteret: number | null;
  } | null;
  readonly bortfaldet?: { readonly dag: number; readonly aarsag: Bortfaldsaarsag };
}
const KRAV: readonly KravSpec[] = [
  {
    kravId: uuid(101),
    part: B.b1,
    trigger: 'T1',
    niveau: 'paakraevet',
    kraevet: 0,
    frist: 5, // met on its frist: in time
    opfyldt: { dag: 5, via: 'naevnt', kvitteret: 7 },
  },
  {
    kravId: uuid(102),
    part: B.b1,
    trigger: 'T2',
    niveau: 'paakraevet',
    kraevet: 1,
    frist: 4,
    opfyldt: { dag: 8, via: 'naevnt', kvitteret: null },
  },
  {
    kravId: uuid(103),
    part: B.b2,
    trigger: 'T2',
    niveau: 'paakraevet',
    kraevet: 2,
    frist: 9,
    opfyldt: { dag: 3, via: 'regel', kvitteret: 4 },
  },
  {
    kravId: uuid(104),
    part: B.b2,
    trigger: 'T3',
    niveau: 'anbefalet',
    kraevet: 3,
    frist: 6, // would be overdue, but the recommendation ran out
    opfyldt: null,
    bortfaldet: { dag: 7, aarsag: 'anbefaling_udloebet' },
  },
  { kravId: uuid(105), part: B.b1, trigger: 'T3', niveau: 'paakraevet', kraevet: 9, frist: IDAG, opfyldt: null },
  { kravId: uuid(106), part: B.b3, trigger: 'T1', niveau: 'paakraevet', kraevet: 4, frist: 30, opfyldt: null },
  {
    kravId: uuid(107),
    part: B.b1,
    trigger: 'T1',
    niveau: 'anbefalet',
    kraevet: 15,
    frist: 16,
    opfyldt: { dag: 17, via: 'naevnt', kvitteret: 18 },
  },
  { kravId: uuid(108), part: B.b2, trigger: 'T1', niveau: 'paakraevet', kraevet: 11, frist: 12, opfyldt: null },
  {
    kravId: uuid(109),
    part: B.b1,
    trigger: 'T2',
    niveau: 'paakraevet',
    kraevet: 10,
    frist: 12,
    opfyldt: null,
    bortfaldet: { dag: 13, aarsag: 'indsatsmaal_afsluttet' },
  },
  {
    // Named by a tilbagemelding, then lapsed by the rules before they recorded the match: the pligt stream says
    // bortfaldet (and no opfyldt), but the tilbagemelding came first in the log, and the first fact wins.
    kravId: uuid(110),
    part: B.b2,
    trigger: 'T3',
    niveau: 'anbefalet',
    kraevet: 12,
    frist: 14,
    opfyldt: { dag: 15, via: 'naevnt', kvitteret: null },
    bortfaldet: { dag: 15, aarsag: 'anbefaling_udloebet' },
  },
  {
    kravId: uuid(111),
    part: B.b3,
    trigger: 'T2',
    niveau: 'paakraevet',
    kraevet: 5,
    frist: 8,
    opfyldt: null,
    bortfaldet: { dag: 9, aarsag: 'indsats_afsluttet' },
  },
];

/** As the scenario's days order the facts: lapsed when the lapse came before any tilbagemelding met the krav. */
const bortfaldt = (k: KravSpec): boolean =>
  k.bortfaldet !== undefined && (k.opfyldt === null || k.bortfaldet.dag < k.opfyldt.dag);
const opfyldt = (k: KravSpec): boolean => k.opfyldt !== null && !bortfaldt(k);
const aaben = (k: KravSpec): boolean => !opfyldt(k) && !bortfaldt(k);

interface PaamindelseSpec {
  readonly paamindelseId: string;
  readonly part: Part;
  readonly modtager: Modtager;
  readonly sendt: number;
  readonly afsluttet: number | null;
}
const PAAMINDELSER: readonly PaamindelseSpec[] = [
  { paamindelseId: uuid(201), part: B.b1, modtager: 'udfoerer', sendt: 11, afsluttet: null },
  { paamindelseId: uuid(202), part: B.b1, modtager: 'myndighed', sendt: 5, afsluttet: 8 },
  { paamindelseId: uuid(203), part: B.b3, modtager: 'udfoerer', sendt: 6, afsluttet: null },
  { paamindelseId: uuid(204), part: B.b2, modtager: 'myndighed', sendt: 12, afsluttet: null },
];

/** Writes the scenario through the real write path (the deciders, in order of time). */
async function skriv(store: EventStore): Promise<void> {
  let n = 10_000;
  const context = (now: string) => ({
    eventId: () => uuid(n++),
    metadata: () => ({
      schemaVersion: 1,
      occurredAt: now,
      correlationId: uuid(n),
      causationId: uuid(n),
      actor: { party: 'test', subject: 'scenario' },
    }),
  });
  const begrundet = { regel: { id: 'TP-TEST', version: 1 }, aarsager: [uuid(9_999)] };
  const onBestilling = async (day: number, command: BestillingCommand) => {
    // As the hub's command service: the named krav with its trigger, from the pligt stream; a lapsed one is left out.
    const krav = new Map<string, { bestillingId: string; trigger: string }>();
    const kravId = command.type === 'SendTilbagemelding' ? command.data.opfylderKravId : null;
    if (typeof kravId === 'string') {
      const { state } = await readState(store, toPligtStreamId(command.data.bestillingId), pligtFolding);
      const k = state.krav[kravId];
      if (k && !k.bortfaldet && state.parter)
        krav.set(kravId, { bestillingId: state.parter.bestillingId, trigger: k.trigger });
    }
    return handleCommand(
      store,
      toBestillingStreamId(command.data.bestillingId),
      bestillingFolding,
      (s) =>
        bestilling.decide(
          command,
          s,
          { now: dag(day), katalog: ffbKatalog, regler: STANDARD_REGLER },
          { delmaal: new Map(), krav },
        ),
      context(dag(day)),
    );
  };
  const onPligt = (day: number, command: PligtCommand) =>
    handleCommand(
      store,
      toPligtStreamId(command.data.bestillingId),
      pligtFolding,
      (s) => pligt.decide(command, s, { now: dag(day) }),
      context(dag(day)),
    );
  const steps: { day: number; run: () => Promise<unknown> }[] = [];
  for (const [i, part] of Object.values(B).entries()) {
    steps.push({
      day: -3,
      run: async () => {
        await onBestilling(-3, afgivBestilling({ ...part, borgerId: uuid(300 + i) }));
        await onBestilling(-3, { type: 'KvitterBestilling', data: { bestillingId: part.bestillingId, version: 1 } });
        await onBestilling(-3, { type: 'AccepterBestilling', data: { bestillingId: part.bestillingId } });
      },
    });
  }
  for (const [i, k] of KRAV.entries()) {
    const { bestillingId, kommunekode, tilbudId } = k.part;
    steps.push({
      day: k.kraevet,
      run: () =>
        onPligt(k.kraevet, {
          type: 'KraevTilbagemelding',
          data: {
            bestillingId,
            kommunekode,
            tilbudId,
            kravId: k.kravId,
            borgerId: uuid(300 + Object.values(B).indexOf(k.part)),
            trigger: k.trigger,
            niveau: k.niveau,
            indsatsmaalId: null,
            delmaalId: null,
            begrundelse: 'Hubben kræver en tilbagemelding.',
            frist: dato(k.frist),
            ...begrundet,
          },
        }),
    });
    const lapse = k.bortfaldet;
    const bortfald = () => {
      if (lapse)
        steps.push({
          day: lapse.dag,
          run: () =>
            onPligt(lapse.dag, {
              type: 'LadKravBortfalde',
              data: { bestillingId, kravId: k.kravId, aarsag: lapse.aarsag, ...begrundet },
            }),
        });
    };
    if (!k.opfyldt) {
      bortfald();
      continue;
    }
    const tilbagemeldingId = uuid(400 + i);
    const { dag: d, via, kvitteret } = k.opfyldt;
    steps.push({
      day: d,
      run: () =>
        onBestilling(d, {
          type: 'SendTilbagemelding',
          data: {
            bestillingId,
            tilbagemeldingId,
            trigger: k.trigger,
            tekst: 'Tilbagemelding',
            observationer: [],
            opfylderKravId: via === 'naevnt' ? k.kravId : null,
          },
        }),
    });
    // After the tilbagemelding of its day, before the rules' record of the match.
    bortfald();
    // The rules' record: the day after (named), or only after the kvittering (not named).
    const registreret = via === 'naevnt' ? d + 1 : (kvitteret ?? d) + 1;
    steps.push({
      day: registreret,
      run: () =>
        onPligt(registreret, {
          type: 'RegistrerKravOpfyldt',
          data: { bestillingId, kravId: k.kravId, tilbagemeldingId, ...begrundet },
        }),
    });
    if (kvitteret !== null)
      steps.push({
        day: kvitteret,
        run: () => onBestilling(kvitteret, { type: 'KvitterTilbagemelding', data: { bestillingId, tilbagemeldingId } }),
      });
  }
  for (const p of PAAMINDELSER) {
    const { bestillingId, kommunekode, tilbudId } = p.part;
    steps.push({
      day: p.sendt,
      run: () =>
        onPligt(p.sendt, {
          type: 'SendPaamindelse',
          data: {
            bestillingId,
            kommunekode,
            tilbudId,
            paamindelseId: p.paamindelseId,
            art: 'tilbagemeldingskrav_overskredet',
            modtager: p.modtager,
            alvor: 'overskredet',
            emne: {},
            tekst: 'Fristen er overskredet.',
            forfald: dag(p.sendt - 1),
            ...begrundet,
          },
        }),
    });
    if (p.afsluttet !== null) {
      const afsluttet = p.afsluttet;
      steps.push({
        day: afsluttet,
        run: () =>
          onPligt(afsluttet, {
            type: 'AfslutPaamindelse',
            data: { bestillingId, paamindelseId: p.paamindelseId, ...begrundet },
          }),
      });
    }
  }
  // In order of time; steps of the same day in the order they were listed.
  for (const step of steps.map((s, i) => ({ ...s, i })).sort((a, b) => a.day - b.day || a.i - b.i)) await step.run();
}

/** The figures, computed from the scenario's days: the oracle the query must agree with. */
function forventet(krav: readonly KravSpec[]) {
  const opfyldte = krav.filter(opfyldt);
  const dage = opfyldte.map((k) => (k.opfyldt?.dag ?? 0) - k.kraevet).sort((a, b) => a - b);
  const midt = Math.floor(dage.length / 2);
  return {
    kraevet: krav.length,
    opfyldt: opfyldte.length,
    opfyldtIndenFrist: opfyldte.filter((k) => (k.opfyldt?.dag ?? Infinity) <= k.frist).length,
    bortfaldne: krav.filter(bortfaldt).length,
    aabne: krav.filter(aaben).length,
    overskredne: krav.filter((k) => aaben(k) && k.frist < IDAG).length,
    kvitteret: opfyldte.filter((k) => k.opfyldt?.kvitteret !== null).length,
    medianDageTilOpfyldt:
      dage.length === 0
        ? null
        : dage.length % 2
          ? dage[midt]
          : ((dage[midt - 1] as number) + (dage[midt] as number)) / 2,
  };
}
const perTrigger = (krav: readonly KravSpec[]) =>
  (['T1', 'T2', 'T3'] as const).map((trigger) => ({
    trigger,
    ...forventet(krav.filter((k) => k.trigger === trigger)),
  }));
const iPerioden = (fra: number, til: number) => (k: KravSpec) => k.kraevet >= fra && k.kraevet <= til;

const kommune0101: Scope = { party: 'myndighed', kommunekode: '0101' };
const kommune0147: Scope = { party: 'myndighed', kommunekode: '0147' };
const tilbudA: Scope = { party: 'udfoerer', tilbudId: 'tilbud-a' };
const tilbudB: Scope = { party: 'udfoerer', tilbudId: 'tilbud-b' };
const af = (scope: Scope) => (k: { part: Part }) =>
  scope.party === 'myndighed' ? k.part.kommunekode === scope.kommunekode : k.part.tilbudId === scope.tilbudId;

describe.each([
  [
    'SQLite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pligt-read-'));
      const readDb = openSqliteReadDb(join(dir, 'read.sqlite'));
      return { readDb, cleanup: async () => (await readDb.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      await requirePostgres();
      const schema = freshSchema();
      const readDb = await openPostgresReadDb(PG_URL, schema);
      return { readDb, cleanup: async () => (await readDb.close(), await dropSchema(schema)) };
    },
  ],
])('tilbagemeldingspligt read model on %s, on a hand-built history', (_name, factory) => {
  let dir: string;
  let store: EventStore;
  let fixture: { readDb: ReadDb; cleanup: () => Promise<void> };
  let projector: Projector;
  let t: Tables<'kontekst' | 'krav' | 'paamindelse'>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pligt-events-'));
    store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    fixture = await factory();
    // Batches of 3: krav, their tilbagemeldinger and kvitteringer land in different transactions.
    projector = new Projector({ store, readDb: fixture.readDb, models: [tilbagemeldingspligt], batchSize: 3 });
    await projector.start();
    await skriv(store);
    await projector.caughtUp();
    t = await projector.liveTables(tilbagemeldingspligt);
  }, 60_000);
  afterAll(async () => {
    await projector.stop();
    await store.close();
    await fixture.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const db = () => fixture.readDb.db;
  const krav = (scope: Scope) => q.tilbagemeldingskrav(db(), t, scope, dato(IDAG));

  it('compliance per trigger, in total and per tilbud, as the scenario gives it', async () => {
    const egne = KRAV.filter(af(kommune0101));
    // The oracle on the scenario, counted by hand once: 0101 has nine krav; five met (110 by the tilbagemelding that
    // came before its lapse), two of them by their frist; two lapsed (104 and 109, both past their frist, so not
    // overdue); two open, one of them (108) overdue.
    expect(forventet(egne)).toMatchObject({
      kraevet: 9,
      opfyldt: 5,
      opfyldtIndenFrist: 2,
      bortfaldne: 2,
      aabne: 2,
      overskredne: 1,
    });
    const rapport = await q.overholdelse(db(), t, kommune0101, dato(IDAG));
    expect(rapport.samlet).toEqual(forventet(egne));
    expect(rapport.triggere).toEqual(perTrigger(egne));
    expect(rapport.tilbud).toEqual(
      ['tilbud-a', 'tilbud-b'].map((tilbudId) => {
        const deres = egne.filter((k) => k.part.tilbudId === tilbudId);
        return { tilbudId, ...forventet(deres), triggere: perTrigger(deres) };
      }),
    );
    expect(rapport.idag).toBe(dato(IDAG));
  });

  it('a period counts the krav required in it (both days inclusive); their state is as of today', async () => {
    const egne = KRAV.filter(af(kommune0101)).filter(iPerioden(1, 11));
    expect(egne.length).toBeLessThan(KRAV.filter(af(kommune0101)).length);
    const rapport = await q.overholdelse(db(), t, kommune0101, dato(IDAG), { fra: dato(1), til: dato(11) });
    expect([rapport.fra, rapport.til]).toEqual([dato(1), dato(11)]);
    expect(rapport.samlet).toEqual(forventet(egne));
    expect(rapport.triggere).toEqual(perTrigger(egne));
    const anbefalede = KRAV.filter(af(kommune0101)).filter((k) => k.niveau === 'anbefalet');
    expect((await q.overholdelse(db(), t, kommune0101, dato(IDAG), { niveau: 'anbefalet' })).samlet).toEqual(
      forventet(anbefalede),
    );
  });

  it("the udfører's compliance covers its tilbud across kommuner, without a breakdown per tilbud", async () => {
    for (const scope of [tilbudA, tilbudB]) {
      const rapport = await q.overholdelse(db(), t, scope, dato(IDAG));
      expect(rapport.samlet).toEqual(forventet(KRAV.filter(af(scope))));
      expect(rapport.triggere).toEqual(perTrigger(KRAV.filter(af(scope))));
      expect(rapport.tilbud).toBeUndefined();
    }
    expect((await q.overholdelse(db(), t, kommune0147, dato(IDAG))).samlet.kraevet).toBe(
      KRAV.filter(af(kommune0147)).length,
    );
  });

  it('lists each party its own krav by status: met from the tilbagemelding that named it or the rules, kvitteret, lapsed, overskredet', async () => {
    for (const scope of [kommune0101, kommune0147, tilbudA, tilbudB]) {
      const liste = await krav(scope);
      const egne = KRAV.filter(af(scope));
      expect(liste.map((k) => k.kravId).sort()).toEqual(egne.map((k) => k.kravId).sort());
      for (const spec of egne) {
        const row = liste.find((k) => k.kravId === spec.kravId);
        expect([
          spec.kravId,
          row?.opfyldt,
          row?.kvitteret,
          row?.bortfaldet,
          row?.bortfaldsaarsag,
          row?.overskredet,
          row?.frist,
        ]).toEqual([
          spec.kravId,
          // The time is the tilbagemelding's, not the rules' later record.
          opfyldt(spec) ? dag(spec.opfyldt?.dag as number) : null,
          opfyldt(spec) && spec.opfyldt?.kvitteret != null ? dag(spec.opfyldt.kvitteret) : null,
          bortfaldt(spec) ? dag(spec.bortfaldet?.dag as number) : null,
          bortfaldt(spec) ? spec.bortfaldet?.aarsag : null,
          aaben(spec) && spec.frist < IDAG,
          dato(spec.frist),
        ]);
      }
      const status = async (s: q.KravStatus) =>
        (await q.tilbagemeldingskrav(db(), t, scope, dato(IDAG), { status: s })).map((k) => k.kravId);
      // Open: neither met nor lapsed, most urgent first (frist, then kraevet).
      expect([scope, await status('aaben')]).toEqual([
        scope,
        egne
          .filter(aaben)
          .sort((a, b) => a.frist - b.frist || a.kraevet - b.kraevet)
          .map((k) => k.kravId),
      ]);
      expect([scope, (await status('opfyldt')).sort()]).toEqual([
        scope,
        egne
          .filter(opfyldt)
          .map((k) => k.kravId)
          .sort(),
      ]);
      // Lapsed, the latest lapse first.
      expect([scope, await status('bortfaldet')]).toEqual([
        scope,
        egne
          .filter(bortfaldt)
          .sort((a, b) => (b.bortfaldet?.dag ?? 0) - (a.bortfaldet?.dag ?? 0))
          .map((k) => k.kravId),
      ]);
      expect([scope, (await status('alle')).sort()]).toEqual([scope, egne.map((k) => k.kravId).sort()]);
    }
    // Every status appears in the scenario, for the kommune and for the tilbud that serves two kommuner.
    for (const scope of [kommune0101, tilbudA])
      for (const s of ['aaben', 'opfyldt', 'bortfaldet'] as const)
        expect([scope, s, (await q.tilbagemeldingskrav(db(), t, scope, dato(IDAG), { status: s })).length > 0]).toEqual(
          [scope, s, true],
        );
  });

  it('a krav named by a tilbagemelding and then lapsed in the pligt stream stays met: the first fact in the log wins', async () => {
    const spec = KRAV.find((k) => k.opfyldt !== null && k.bortfaldet !== undefined) as KravSpec;
    const pligtEvents = (await store.readStream(toPligtStreamId(spec.part.bestillingId)))
      .filter((e) => (e.data as { kravId?: string }).kravId === spec.kravId)
      .map((e) => e.type);
    // The rules lapsed it and so recorded no match; the tilbagemelding before the lapse met it all the same.
    expect(pligtEvents).toEqual(['TilbagemeldingKraevet', 'TilbagemeldingskravBortfaldet']);
    const [row] = (await krav(spec.part.tilbudId === 'tilbud-b' ? tilbudB : tilbudA)).filter(
      (k) => k.kravId === spec.kravId,
    );
    expect([row?.opfyldt, row?.bortfaldet, row?.overskredet]).toEqual([dag(spec.opfyldt?.dag as number), null, false]);
  });

  it('shows a party only the påmindelser addressed to it, of its own kommune or tilbud', async () => {
    for (const scope of [kommune0101, kommune0147, tilbudA, tilbudB]) {
      const til = PAAMINDELSER.filter(af(scope)).filter((p) => p.modtager === scope.party);
      for (const status of ['aaben', 'afsluttet'] as const) {
        const liste = await q.paamindelser(db(), t, scope, { status });
        expect([scope, status, liste.map((p) => p.paamindelseId).sort()]).toEqual([
          scope,
          status,
          til
            .filter((p) => (p.afsluttet === null) === (status === 'aaben'))
            .map((p) => p.paamindelseId)
            .sort(),
        ]);
        for (const p of liste) {
          const spec = til.find((s) => s.paamindelseId === p.paamindelseId);
          expect([p.modtager, p.afsluttet]).toEqual([
            scope.party,
            spec?.afsluttet == null ? null : dag(spec.afsluttet),
          ]);
        }
      }
    }
  });
});

describe('the fold of a krav that lapses: open, met or lapsed, never two; the first fact in the log wins', () => {
  const parter = { bestillingId: uuid(1), kommunekode: '0101', tilbudId: 'tilbud-a' };
  const begrundet = { regel: { id: 'TP-TEST', version: 1 }, aarsager: [uuid(9_999)] };
  const kravId = uuid(501);
  const tilbagemeldingId = uuid(502);
  const kraevet: PligtHubEvent = {
    type: 'TilbagemeldingKraevet',
    data: {
      ...parter,
      ...begrundet,
      kravId,
      borgerId: uuid(300),
      trigger: 'T2',
      niveau: 'paakraevet',
      indsatsmaalId: null,
      delmaalId: null,
      begrundelse: 'Hubben kræver en tilbagemelding.',
      frist: dato(5),
      kraevet: dag(0),
    },
  };
  const sendt: PligtHubEvent = {
    type: 'TilbagemeldingSendt',
    data: {
      bestillingId: parter.bestillingId,
      tilbagemeldingId,
      trigger: 'T2',
      tekst: 'Tilbagemelding',
      indsatsmaalId: null,
      observationer: [],
      opfylderKravId: kravId,
      sendt: dag(3),
    },
  };
  const registreret: PligtHubEvent = {
    type: 'TilbagemeldingskravOpfyldt',
    data: { ...parter, ...begrundet, kravId, tilbagemeldingId, opfyldt: dag(4) },
  };
  const bortfaldet: PligtHubEvent = {
    type: 'TilbagemeldingskravBortfaldet',
    data: { ...parter, ...begrundet, kravId, aarsag: 'indsatsmaal_afsluttet', bortfaldet: dag(2) },
  };
  const fold = (events: readonly PligtHubEvent[]) => {
    const touched = new Set<string>();
    const doc = events.reduce<PligtDoc | null>((d, e, i) => evolvePligt(d, e, i + 1, touched), null);
    const k = doc?.krav[kravId];
    return { state: [k?.opfyldt ?? null, k?.bortfaldet ?? null, k?.bortfaldsaarsag ?? null], touched: [...touched] };
  };

  it('a lapse marks an open krav with its time and cause; a second lapse changes nothing', () => {
    expect(fold([kraevet, bortfaldet]).state).toEqual([null, dag(2), 'indsatsmaal_afsluttet']);
    const igen: PligtHubEvent = {
      type: 'TilbagemeldingskravBortfaldet',
      data: { ...parter, ...begrundet, kravId, aarsag: 'indsats_afsluttet', bortfaldet: dag(6) },
    };
    expect(fold([kraevet, bortfaldet, igen]).state).toEqual([null, dag(2), 'indsatsmaal_afsluttet']);
    const doc = evolvePligt(evolvePligt(null, kraevet, 1), bortfaldet, 2);
    const touched = new Set<string>();
    evolvePligt(doc, igen, 3, touched);
    expect(touched.size).toBe(0);
  });

  it('a krav met first is not lapsed by a later lapse, nor a lapsed one met by a later tilbagemelding or record', () => {
    expect(fold([kraevet, sendt, bortfaldet]).state).toEqual([dag(3), null, null]);
    expect(fold([kraevet, registreret, bortfaldet]).state).toEqual([dag(4), null, null]);
    // The bestilling decider now refuses a tilbagemelding that names a lapsed krav; a log from before still folds.
    expect(fold([kraevet, bortfaldet, sendt, registreret]).state).toEqual([null, dag(2), 'indsatsmaal_afsluttet']);
  });

  it('a lapse of a krav the model does not know changes no krav row', () => {
    expect(fold([bortfaldet]).touched).toEqual([]);
  });
});
