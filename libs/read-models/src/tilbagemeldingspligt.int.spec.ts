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
  type KravNiveau,
  type KravTrigger,
  type Modtager,
  type PligtCommand,
} from '@hub/domain';
import { afgivBestilling } from '@hub/domain/testing/fixtures';
import { handleCommand, openSqliteEventStore, type EventStore } from '@hub/event-store';
import { Projector } from './projector';
import { openPostgresReadDb, openSqliteReadDb, type ReadDb } from './read-db';
import type { Scope } from './queries';
import type { Tables } from './read-model';
import { tilbagemeldingspligt } from './tilbagemeldingspligt.read-model';
import * as q from './tilbagemeldingspligt.queries';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from './testing/postgres';

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
 * The scenario as data: each krav, the day it is required, its frist, and how (and whether) it is met and kvitteret.
 * `naevnt`: the tilbagemelding names the krav (opfylderKravId), and the rules record it the next day as well;
 * `regel`: a tilbagemelding that does not name it is kvitteret first, and only then do the rules record the match.
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
  { kravId: uuid(104), part: B.b2, trigger: 'T3', niveau: 'anbefalet', kraevet: 3, frist: 6, opfyldt: null },
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
];

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
  const kravIder = new Set(KRAV.map((k) => k.kravId));
  const onBestilling = (day: number, command: BestillingCommand) =>
    handleCommand(
      store,
      toBestillingStreamId(command.data.bestillingId),
      bestillingFolding,
      (s) =>
        bestilling.decide(
          command,
          s,
          { now: dag(day), katalog: ffbKatalog, regler: STANDARD_REGLER },
          {
            delmaal: new Map(),
            krav: new Map([...kravIder].map((k) => [k, { bestillingId: command.data.bestillingId }])),
          },
        ),
      context(dag(day)),
    );
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
    if (!k.opfyldt) continue;
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
  const opfyldte = krav.filter((k) => k.opfyldt !== null);
  const dage = opfyldte.map((k) => (k.opfyldt?.dag ?? 0) - k.kraevet).sort((a, b) => a - b);
  const midt = Math.floor(dage.length / 2);
  return {
    kraevet: krav.length,
    opfyldt: opfyldte.length,
    opfyldtIndenFrist: opfyldte.filter((k) => (k.opfyldt?.dag ?? Infinity) <= k.frist).length,
    aabne: krav.length - opfyldte.length,
    overskredne: krav.filter((k) => k.opfyldt === null && k.frist < IDAG).length,
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
    // The oracle on the scenario, counted by hand once: 0101 has seven krav, four met, two of them by their frist.
    expect(forventet(egne)).toMatchObject({ kraevet: 7, opfyldt: 4, opfyldtIndenFrist: 2, aabne: 3, overskredne: 2 });
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

  it('lists each party its own krav: met from the tilbagemelding that named it or the rules, kvitteret, overskredet', async () => {
    for (const scope of [kommune0101, kommune0147, tilbudA, tilbudB]) {
      const liste = await krav(scope);
      const egne = KRAV.filter(af(scope));
      expect(liste.map((k) => k.kravId).sort()).toEqual(egne.map((k) => k.kravId).sort());
      for (const spec of egne) {
        const row = liste.find((k) => k.kravId === spec.kravId);
        expect([spec.kravId, row?.opfyldt, row?.kvitteret, row?.overskredet, row?.frist]).toEqual([
          spec.kravId,
          // The time is the tilbagemelding's, not the rules' later record.
          spec.opfyldt ? dag(spec.opfyldt.dag) : null,
          spec.opfyldt?.kvitteret != null ? dag(spec.opfyldt.kvitteret) : null,
          spec.opfyldt === null && spec.frist < IDAG,
          dato(spec.frist),
        ]);
      }
    }
    const aabne = await q.tilbagemeldingskrav(db(), t, kommune0101, dato(IDAG), { status: 'aaben' });
    const aabneSpec = KRAV.filter(af(kommune0101)).filter((k) => k.opfyldt === null);
    // Most urgent first.
    expect(aabne.map((k) => k.kravId)).toEqual([...aabneSpec].sort((a, b) => a.frist - b.frist).map((k) => k.kravId));
    const opfyldte = await q.tilbagemeldingskrav(db(), t, kommune0101, dato(IDAG), { status: 'opfyldt' });
    expect(opfyldte.map((k) => k.kravId).sort()).toEqual(
      KRAV.filter(af(kommune0101))
        .filter((k) => k.opfyldt !== null)
        .map((k) => k.kravId)
        .sort(),
    );
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
