import { randomUUID } from 'node:crypto';
import type { PligtEvent, Udvikling } from '@hub/domain';
import { afgivBestilling, FFB, indsatsmaalInput, kode, opretDelmaal } from '@hub/domain/testing/fixtures';
import { accepteret, myndighedFor, nyIndsats, udfoererFor, type Indsats } from '@hub/relay/testing/domain-writer';
import { REGLER } from './regler';
import { RegelHarness } from './testing/harness';

const versionAf = (id: string): number => {
  const regel = REGLER.find((r) => r.id === id);
  if (!regel) throw new Error(`no rule ${id}`);
  return regel.version;
};

/**
 * Each rule, table-driven, on the real worker with a real event store and a fake clock: it fires when it should, stays
 * silent when it should not, and what it waited for cancels it (a reminder already sent is afsluttet).
 */

const BEGRAENSE_TAB = 'e47c22bd-d88d-48ab-882b-419923e1f44e';
const NIVEAU_3 = 'cae545f5-2813-4d79-98fc-0a7d770af3cd';

type Sendt = Extract<PligtEvent, { type: 'PaamindelseSendt' }>;
type Kraevet = Extract<PligtEvent, { type: 'TilbagemeldingKraevet' }>;

const fraRegel = (events: readonly PligtEvent[], regel: string) => events.filter((e) => e.data.regel.id === regel);
const paamindelser = (events: readonly PligtEvent[], regel: string) =>
  fraRegel(events, regel)
    .filter((e): e is Sendt => e.type === 'PaamindelseSendt')
    .map((e) => `${e.data.art} ${e.data.modtager} ${e.data.alvor}`);
const afsluttede = (events: readonly PligtEvent[], regel: string) =>
  fraRegel(events, regel).filter((e) => e.type === 'PaamindelseAfsluttet').length;
const krav = (events: readonly PligtEvent[]) =>
  events.filter((e): e is Kraevet => e.type === 'TilbagemeldingKraevet').map((e) => e.data);

let h: RegelHarness;
afterEach(async () => h?.close());

async function afgiv(indsats: Indsats, maal = [indsatsmaalInput({ indsatsmaalId: indsats.maal1 })]) {
  await h.writer.bestilling(
    afgivBestilling({
      bestillingId: indsats.bestillingId,
      borgerId: indsats.borgerId,
      kommunekode: indsats.kommunekode,
      tilbudId: indsats.tilbudId,
      indsatsmaal: maal,
    }),
    myndighedFor(indsats.kommunekode),
  );
}
const udfoerer = (i: Indsats) => udfoererFor(i.tilbudId);
const kvitter = (i: Indsats, version = 1) =>
  h.writer.bestilling({ type: 'KvitterBestilling', data: { bestillingId: i.bestillingId, version } }, udfoerer(i));

async function vum(
  i: Indsats,
  o: { paavirkerIndsatsen?: boolean; borgerTagerIkkeImod?: boolean; undertemaer?: string[] } = {},
) {
  await h.writer.bestilling(
    {
      type: 'RegistrerVumObservation',
      data: {
        bestillingId: i.bestillingId,
        observationId: randomUUID(),
        tekst: 'Borgeren har holdt sig på værelset.',
        undertemaer: o.undertemaer ?? [FFB.indgaaISamspil],
        paavirkerIndsatsen: o.paavirkerIndsatsen ?? false,
        ...(o.borgerTagerIkkeImod === undefined ? {} : { borgerTagerIkkeImod: o.borgerTagerIkkeImod }),
        observeret: h.now(),
      },
    },
    udfoerer(i),
  );
}

async function delmaal(i: Indsats, over: Parameters<typeof opretDelmaal>[0] = {}): Promise<string> {
  const delmaalId = randomUUID();
  await h.writer.delmaal(
    opretDelmaal({ delmaalId, bestillingId: i.bestillingId, indsatsmaalId: i.maal1, ...over }),
    udfoerer(i),
    i.bestillingId,
  );
  return delmaalId;
}
const observation = (i: Indsats, delmaalId: string, score: number | null = null) =>
  h.writer.delmaal(
    {
      type: 'RegistrerDelmaalsobservation',
      data: {
        delmaalId,
        observationId: randomUUID(),
        observation: 'Deltog i fællesspisning.',
        score,
        observeret: h.now(),
      },
    },
    udfoerer(i),
    i.bestillingId,
  );
const evaluer = (i: Indsats, delmaalId: string, udvikling: Udvikling) =>
  h.writer.delmaal(
    {
      type: 'EvaluerDelmaal',
      data: {
        delmaalId,
        evalueringId: randomUUID(),
        dato: h.now().slice(0, 10),
        hvordanGaarDet: 'Det går som før.',
        virkningForBorgeren: 'Uændret.',
        borgerensOplevelse: 'Svært.',
        refleksionerOverMetoder: 'Metoden skal justeres.',
        giverAnledningTilAendringer: true,
        udvikling,
        konklusion: 'Se evalueringen.',
      },
    },
    udfoerer(i),
    i.bestillingId,
  );

describe('BESTILLING-KVITTERING: a version not kvitteret is reminded, then escalated', () => {
  it.each([
    {
      navn: 'fires at 3 days for the udfører and 7 for the myndighed',
      kvitterEfter: null,
      forventet: ['bestilling_ikke_kvitteret udfoerer paamindelse', 'bestilling_ikke_kvitteret myndighed eskalering'],
      afsluttet: 0,
    },
    { navn: 'stays silent when kvitteret in time', kvitterEfter: 1, forventet: [], afsluttet: 0 },
    {
      navn: 'a kvittering after the reminder afslutter it and stops the escalation',
      kvitterEfter: 4,
      forventet: ['bestilling_ikke_kvitteret udfoerer paamindelse'],
      afsluttet: 1,
    },
  ])('$navn', async ({ kvitterEfter, forventet, afsluttet }) => {
    h = new RegelHarness();
    const i = nyIndsats();
    await afgiv(i);
    await h.roligt();
    expect(paamindelser(await h.pligt(i.bestillingId), 'BESTILLING-KVITTERING')).toEqual([]);
    if (kvitterEfter !== null) {
      await h.frem(kvitterEfter);
      await kvitter(i);
      await h.roligt();
    }
    await h.frem(10 - (kvitterEfter ?? 0));
    const events = await h.pligt(i.bestillingId);
    expect(paamindelser(events, 'BESTILLING-KVITTERING')).toEqual(forventet);
    expect(afsluttede(events, 'BESTILLING-KVITTERING')).toBe(afsluttet);
  });

  it('a new version is reminded on its own; kvittering of it closes the older version too', async () => {
    h = new RegelHarness();
    const i = nyIndsats();
    await afgiv(i);
    await h.frem(4); // v1 reminded
    await h.writer.bestilling(
      {
        type: 'AendrBestilling',
        data: { bestillingId: i.bestillingId, begrundelse: 'Nyt formål.', indsatsformaal: 'Nyt.' },
      },
      myndighedFor(i.kommunekode),
    );
    await h.frem(1);
    await kvitter(i, 2);
    await h.frem(10);
    const events = fraRegel(await h.pligt(i.bestillingId), 'BESTILLING-KVITTERING');
    expect(events.map((e) => e.type)).toEqual(['PaamindelseSendt', 'PaamindelseAfsluttet']);
    expect((events[0] as Sendt).data.emne).toEqual({ version: 1 });
  });
});

describe('OPFOELGNING: status requested and the sagsbehandler reminded D−30; overdue after D', () => {
  const D = '2026-09-01';
  it.each([
    {
      navn: 'fires before and after the date when nothing happens',
      handling: null,
      forventet: [
        'status_til_opfoelgning udfoerer paamindelse',
        'opfoelgning_naermer_sig myndighed paamindelse',
        'opfoelgning_overskredet myndighed overskredet',
      ],
      afsluttet: 0,
    },
    {
      navn: 'a status in the window answers the status request',
      handling: 'status',
      forventet: [
        'status_til_opfoelgning udfoerer paamindelse',
        'opfoelgning_naermer_sig myndighed paamindelse',
        'opfoelgning_overskredet myndighed overskredet',
      ],
      afsluttet: 1,
    },
    {
      navn: 'an opfølgning before the date cancels the overdue notice and closes both reminders',
      handling: 'opfoelgning',
      forventet: ['status_til_opfoelgning udfoerer paamindelse', 'opfoelgning_naermer_sig myndighed paamindelse'],
      afsluttet: 2,
    },
  ])('$navn', async ({ handling, forventet, afsluttet }) => {
    h = new RegelHarness();
    const i = nyIndsats();
    await accepteret(h.writer, i);
    // accepteret() gives two indsatsmål with the same opfølgningsdato; keep the first only in view.
    await h.til(`2026-08-0${handling ? 5 : 1}T10:00:00.000Z`);
    if (handling === 'status')
      await h.writer.bestilling(
        {
          type: 'SendStatus',
          data: {
            bestillingId: i.bestillingId,
            statusId: randomUUID(),
            indsatsmaal: [
              { indsatsmaalId: i.maal1, statustekst: 'Deltager ugentligt.' },
              { indsatsmaalId: i.maal2, statustekst: 'Laver mad med støtte.' },
            ],
          },
        },
        udfoerer(i),
      );
    if (handling === 'opfoelgning')
      await h.writer.bestilling(
        {
          type: 'GennemfoerOpfoelgning',
          data: {
            bestillingId: i.bestillingId,
            opfoelgningId: randomUUID(),
            funktionsevne: [
              { undertema: FFB.indgaaISamspil, funktionsevneniveau: FFB.niveau1 },
              { undertema: kode(FFB.lavemad), funktionsevneniveau: FFB.niveau2 },
            ],
            borgerensVurdering: 'Bedre.',
            udfoerersVurdering: 'Fremgang.',
            sagsbehandlersVurdering: 'Fortsætter.',
            stoettebehov: FFB.letStoettebehov,
            statusPaaIndsats: FFB.fortsaettelse,
          },
        },
        myndighedFor(i.kommunekode),
      );
    await h.til(`${D}T12:00:00.000Z`);
    await h.frem(2);
    const events = (await h.pligt(i.bestillingId)).filter(
      (e) => e.type !== 'PaamindelseSendt' || e.data.emne.indsatsmaalId === i.maal1,
    );
    expect(paamindelser(events, 'OPFOELGNING').sort()).toEqual([...forventet].sort());
    const egne = new Set(
      events.filter((e): e is Sendt => e.type === 'PaamindelseSendt').map((e) => e.data.paamindelseId),
    );
    expect(
      fraRegel(events, 'OPFOELGNING').filter(
        (e) => e.type === 'PaamindelseAfsluttet' && egne.has(e.data.paamindelseId),
      ),
    ).toHaveLength(afsluttet);
    const varsel = events.find(
      (e): e is Sendt => e.type === 'PaamindelseSendt' && e.data.art === 'opfoelgning_naermer_sig',
    );
    expect(varsel?.data.forfald).toBe('2026-08-02T00:00:00.000Z');
  });

  it('a changed opfølgningsdato moves its deadlines', async () => {
    h = new RegelHarness();
    const i = nyIndsats();
    await afgiv(i);
    await h.roligt();
    await h.writer.bestilling(
      {
        type: 'AendrBestilling',
        data: {
          bestillingId: i.bestillingId,
          begrundelse: 'Opfølgning flyttes.',
          aendrIndsatsmaal: [indsatsmaalInput({ indsatsmaalId: i.maal1, opfoelgningsdato: '2026-12-01' })],
        },
      },
      myndighedFor(i.kommunekode),
    );
    await h.til('2026-09-15T00:00:00.000Z');
    expect(paamindelser(await h.pligt(i.bestillingId), 'OPFOELGNING')).toEqual([]);
    await h.til('2026-11-02T00:00:00.000Z');
    expect(paamindelser(await h.pligt(i.bestillingId), 'OPFOELGNING').sort()).toEqual([
      'opfoelgning_naermer_sig myndighed paamindelse',
      'status_til_opfoelgning udfoerer paamindelse',
    ]);
  });
});

describe('DELMAAL-DOKUMENTATION: a delmål without a delmålsobservation for 14 days', () => {
  it.each([
    { navn: 'fires after 14 quiet days', observerEfter: null, forventet: 1, afsluttet: 0 },
    { navn: 'stays silent when documented in time', observerEfter: 10, forventet: 0, afsluttet: 0 },
    { navn: 'an observation after the reminder afslutter it', observerEfter: 15, forventet: 1, afsluttet: 1 },
  ])('$navn', async ({ observerEfter, forventet, afsluttet }) => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    const d = await delmaal(i, { evalueringsdato: null, slutdato: '2027-03-01' });
    if (observerEfter !== null) {
      await h.frem(observerEfter);
      await observation(i, d);
    }
    await h.frem(20 - (observerEfter ?? 0));
    const events = await h.pligt(i.bestillingId);
    // The window restarts at each observation: 20 days on, one observed at day 10 is quiet; at day 15 not yet due.
    expect(paamindelser(events, 'DELMAAL-DOKUMENTATION')).toEqual(
      Array(forventet).fill('delmaal_udokumenteret udfoerer paamindelse'),
    );
    expect(afsluttede(events, 'DELMAAL-DOKUMENTATION')).toBe(afsluttet);
  });
});

describe('DELMAAL-FRISTER: past evalueringsdato without evaluering (gul), past slutdato (rød)', () => {
  it.each([
    {
      navn: 'both fire when nothing happens',
      evaluer: false,
      afslut: false,
      forventet: [
        'delmaal_evaluering_overskredet udfoerer overskredet',
        'delmaal_slutdato_overskredet udfoerer overskredet',
      ],
    },
    {
      navn: 'an evaluering in time cancels the yellow one',
      evaluer: true,
      afslut: false,
      forventet: ['delmaal_slutdato_overskredet udfoerer overskredet'],
    },
    { navn: 'an afslutning cancels both', evaluer: true, afslut: true, forventet: [] },
  ])('$navn', async ({ evaluer: skalEvaluere, afslut, forventet }) => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    const d = await delmaal(i, { evalueringsdato: '2026-04-01', slutdato: '2026-04-15' });
    await h.frem(5);
    if (skalEvaluere) await evaluer(i, d, 'fremgang');
    if (afslut)
      await h.writer.delmaal(
        { type: 'AfslutDelmaal', data: { delmaalId: d, maalopfyldelse: 'opnaaet', konklusion: 'Nået.' } },
        udfoerer(i),
        i.bestillingId,
      );
    await h.til('2026-04-20T00:00:00.000Z');
    expect(paamindelser(await h.pligt(i.bestillingId), 'DELMAAL-FRISTER')).toEqual(forventet);
  });
});

describe('TILBAGEMELDING-KVITTERING: a tilbagemelding not kvitteret in 10 days is escalated', () => {
  it.each([
    {
      navn: 'fires when the myndighed does not answer',
      kvitterEfter: null,
      forventet: ['tilbagemelding_ikke_kvitteret myndighed eskalering'],
      afsluttet: 0,
    },
    { navn: 'stays silent when kvitteret in time', kvitterEfter: 3, forventet: [], afsluttet: 0 },
    {
      navn: 'a late kvittering afslutter the escalation',
      kvitterEfter: 12,
      forventet: ['tilbagemelding_ikke_kvitteret myndighed eskalering'],
      afsluttet: 1,
    },
  ])('$navn', async ({ kvitterEfter, forventet, afsluttet }) => {
    h = new RegelHarness('2026-04-01T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    await vum(i); // documentation, so T1 stays out of it
    const tilbagemeldingId = await h.tilbagemelding(i.bestillingId, i.tilbudId, { trigger: 'ANDET' });
    if (kvitterEfter !== null) {
      await h.frem(kvitterEfter);
      await h.writer.bestilling(
        { type: 'KvitterTilbagemelding', data: { bestillingId: i.bestillingId, tilbagemeldingId } },
        myndighedFor(i.kommunekode),
      );
    }
    await h.frem(15 - (kvitterEfter ?? 0));
    const events = await h.pligt(i.bestillingId);
    expect(paamindelser(events, 'TILBAGEMELDING-KVITTERING')).toEqual(forventet);
    expect(afsluttede(events, 'TILBAGEMELDING-KVITTERING')).toBe(afsluttet);
  });
});

describe('T1-TAGER-IKKE-IMOD: the borger does not take up the indsats', () => {
  it.each([
    { navn: 'no documentation 21 days after start: required', dokumenterEfter: null, afslaar: false, forventet: 1 },
    { navn: 'documented in time: silent', dokumenterEfter: 5, afslaar: false, forventet: 0 },
    {
      navn: 'an observation recording that the borger declines: required at once',
      dokumenterEfter: 2,
      afslaar: true,
      forventet: 1,
    },
  ])('$navn', async ({ dokumenterEfter, afslaar, forventet }) => {
    h = new RegelHarness('2026-03-15T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i); // forventet startdato 2026-03-15
    if (dokumenterEfter !== null) {
      await h.frem(dokumenterEfter);
      await vum(i, { borgerTagerIkkeImod: afslaar });
      await h.roligt();
      expect(krav(fraRegel(await h.pligt(i.bestillingId), 'T1-TAGER-IKKE-IMOD'))).toHaveLength(afslaar ? 1 : 0);
    }
    await h.til('2026-04-10T00:00:00.000Z');
    const t1 = krav(fraRegel(await h.pligt(i.bestillingId), 'T1-TAGER-IKKE-IMOD'));
    expect(t1).toHaveLength(forventet);
    for (const k of t1) expect(k).toMatchObject({ trigger: 'T1', niveau: 'paakraevet', tilbudId: i.tilbudId });
    if (dokumenterEfter === null) expect(t1[0]?.frist).toBe('2026-04-19'); // due 2026-04-05, + 14 days
  });
});

describe('T2-MAALTYPE: no movement as the måltype expects', () => {
  it.each([
    {
      navn: 'Udvikle: 2 evalueringer without fremgang',
      maaltype: FFB.udvikle,
      udvikling: ['uaendret', 'tilbagegang'],
      scores: [],
      forventet: 1,
    },
    {
      navn: 'Udvikle: fremgang breaks the streak',
      maaltype: FFB.udvikle,
      udvikling: ['uaendret', 'fremgang'],
      scores: [],
      forventet: 0,
    },
    {
      navn: 'Udvikle: scores that rise over 3 observations',
      maaltype: FFB.udvikle,
      udvikling: [],
      scores: [1, 2, 2],
      forventet: 1,
    },
    {
      navn: 'Udvikle: scores that go up and down',
      maaltype: FFB.udvikle,
      udvikling: [],
      scores: [2, 3, 2],
      forventet: 0,
    },
    { navn: 'Udvikle: flat scores', maaltype: FFB.udvikle, udvikling: [], scores: [2, 2, 2], forventet: 0 },
    {
      navn: 'Fastholde: one tilbagegang',
      maaltype: FFB.fastholde,
      udvikling: ['uaendret', 'tilbagegang'],
      scores: [],
      forventet: 1,
    },
    {
      navn: 'Fastholde: uændret is what it expects',
      maaltype: FFB.fastholde,
      udvikling: ['uaendret', 'uaendret', 'uaendret'],
      scores: [],
      forventet: 0,
    },
    {
      navn: 'Begrænse tab: 2 tilbagegange in a row',
      maaltype: BEGRAENSE_TAB,
      udvikling: ['tilbagegang', 'tilbagegang'],
      scores: [],
      forventet: 1,
    },
    {
      navn: 'Begrænse tab: some loss is expected',
      maaltype: BEGRAENSE_TAB,
      udvikling: ['tilbagegang', 'uaendret', 'tilbagegang'],
      scores: [],
      forventet: 0,
    },
  ])('$navn', async ({ maaltype, udvikling, scores, forventet }) => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await afgiv(i, [indsatsmaalInput({ indsatsmaalId: i.maal1, maaltype })]);
    await kvitter(i);
    await h.writer.bestilling(
      { type: 'AccepterBestilling', data: { bestillingId: i.bestillingId, forventetStartdato: '2026-03-20' } },
      udfoerer(i),
    );
    const d = await delmaal(i);
    for (const u of udvikling) {
      await h.frem(7);
      await evaluer(i, d, u as Udvikling);
    }
    for (const s of scores) {
      await h.frem(2);
      await observation(i, d, s);
    }
    await h.roligt();
    const t2 = krav(await h.pligt(i.bestillingId)).filter((k) => k.trigger === 'T2');
    expect(t2).toHaveLength(forventet);
    for (const k of t2) {
      expect(k).toMatchObject({
        niveau: 'paakraevet',
        indsatsmaalId: i.maal1,
        regel: { id: 'T2-MAALTYPE', version: versionAf('T2-MAALTYPE') },
      });
      expect(k.aarsager).toHaveLength(1);
    }
  });

  it('Begrænse tab: a funktionsevneniveau at opfølgning worse than forventet', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await afgiv(i, [
      indsatsmaalInput({
        indsatsmaalId: i.maal1,
        maaltype: BEGRAENSE_TAB,
        aktueltFunktionsevneniveau: FFB.niveau1,
        forventetFunktionsevneniveau: FFB.niveau2,
      }),
    ]);
    await kvitter(i);
    await h.writer.bestilling({ type: 'AccepterBestilling', data: { bestillingId: i.bestillingId } }, udfoerer(i));
    for (const [niveau, forventet] of [
      [FFB.niveau2, 0],
      [NIVEAU_3, 1],
    ] as const) {
      await h.frem(30);
      await h.writer.bestilling(
        {
          type: 'GennemfoerOpfoelgning',
          data: {
            bestillingId: i.bestillingId,
            opfoelgningId: randomUUID(),
            funktionsevne: [{ undertema: FFB.indgaaISamspil, funktionsevneniveau: niveau }],
            borgerensVurdering: '-',
            udfoerersVurdering: '-',
            sagsbehandlersVurdering: '-',
            stoettebehov: FFB.moderatStoettebehov,
            statusPaaIndsats: FFB.fortsaettelse,
          },
        },
        myndighedFor(i.kommunekode),
      );
      await h.roligt();
      expect(krav(await h.pligt(i.bestillingId)).filter((k) => k.trigger === 'T2')).toHaveLength(forventet);
    }
  });

  it('raises one krav while it is open, and a new one only after a new streak once it is met', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    const d = await delmaal(i);
    for (let n = 0; n < 4; n++) {
      await h.frem(7);
      await evaluer(i, d, 'uaendret');
    }
    await h.roligt();
    const [forste, ...andre] = krav(await h.pligt(i.bestillingId)).filter((k) => k.trigger === 'T2');
    expect(andre).toHaveLength(0);
    await h.tilbagemelding(i.bestillingId, i.tilbudId, {
      opfylderKravId: forste?.kravId as string,
      indsatsmaalId: i.maal1,
    });
    await h.roligt();
    await h.frem(7);
    await evaluer(i, d, 'uaendret');
    await h.roligt();
    expect(krav(await h.pligt(i.bestillingId)).filter((k) => k.trigger === 'T2')).toHaveLength(1);
    await h.frem(7);
    await evaluer(i, d, 'uaendret');
    await h.roligt();
    expect(krav(await h.pligt(i.bestillingId)).filter((k) => k.trigger === 'T2')).toHaveLength(2);
  });
});

describe('T3-SITUATION-AENDRET: a VUM-observation that affects the indsats', () => {
  it.each([
    {
      navn: 'flagged as affecting the indsats',
      paavirkerIndsatsen: true,
      undertemaer: [FFB.indgaaISamspil],
      forventet: 1,
    },
    {
      navn: 'on an undertema no active indsatsmål covers',
      paavirkerIndsatsen: false,
      undertemaer: [kode(FFB.hukommelse)],
      forventet: 1,
    },
    {
      navn: 'on a covered undertema (primary or related), not flagged',
      paavirkerIndsatsen: false,
      undertemaer: [FFB.indgaaISamspil, FFB.varetageRelationer],
      forventet: 0,
    },
  ])('$navn', async ({ paavirkerIndsatsen, undertemaer, forventet }) => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    await vum(i, { paavirkerIndsatsen, undertemaer });
    await h.roligt();
    const t3 = krav(await h.pligt(i.bestillingId)).filter((k) => k.trigger === 'T3');
    expect(t3).toHaveLength(forventet);
    for (const k of t3) expect(k.niveau).toBe('anbefalet');
  });
});

describe('KRAV-OPFYLDT and KRAV-FRIST: a required tilbagemelding is met, or overdue and escalated', () => {
  it.each([
    { navn: 'met before its frist: recorded as met, no overdue notice', send: 5, forventet: [] },
    {
      navn: 'not sent: overdue for the udfører, escalated to the myndighed',
      send: null,
      forventet: [
        'tilbagemeldingskrav_overskredet udfoerer overskredet',
        'tilbagemeldingskrav_overskredet myndighed eskalering',
      ],
    },
  ])('$navn', async ({ send, forventet }) => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    await vum(i, { borgerTagerIkkeImod: true });
    await h.roligt();
    const [t1] = krav(await h.pligt(i.bestillingId));
    expect(t1?.frist).toBe('2026-04-03');
    let tilbagemeldingId: string | undefined;
    if (send !== null) {
      await h.frem(send);
      tilbagemeldingId = await h.tilbagemelding(i.bestillingId, i.tilbudId, {
        trigger: 'T1',
        opfylderKravId: t1?.kravId as string,
      });
    }
    await h.til('2026-04-10T00:00:00.000Z');
    const events = await h.pligt(i.bestillingId);
    expect(paamindelser(events, 'KRAV-FRIST')).toEqual(forventet);
    const opfyldt = events.filter((e) => e.type === 'TilbagemeldingskravOpfyldt');
    expect(opfyldt.map((e) => e.data)).toEqual(
      send === null
        ? []
        : [
            expect.objectContaining({
              kravId: t1?.kravId,
              tilbagemeldingId,
              regel: { id: 'KRAV-OPFYLDT', version: versionAf('KRAV-OPFYLDT') },
            }),
          ],
    );
  });
});

describe('KRAV-BORTFALD: a krav nothing can meet any more lapses', () => {
  const bortfaldne = (events: readonly PligtEvent[]) =>
    events.flatMap((e) => (e.type === 'TilbagemeldingskravBortfaldet' ? [e.data.aarsag] : []));

  it('when the indsats ends: the krav lapses and no overdue notice follows', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    await vum(i, { borgerTagerIkkeImod: true });
    await h.frem(2);
    await h.writer.bestilling(
      {
        type: 'AfslutIndsats',
        data: { bestillingId: i.bestillingId, slutdato: '2026-03-22', begrundelse: 'Flyttet.' },
      },
      myndighedFor(i.kommunekode),
    );
    await h.frem(30);
    const events = await h.pligt(i.bestillingId);
    expect(bortfaldne(events)).toEqual(['indsats_afsluttet']);
    expect(paamindelser(events, 'KRAV-FRIST')).toEqual([]);
  });

  it('when its indsatsmål ends: the T2 krav lapses, and the delmål under it are not reminded any more', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    const d = await delmaal(i);
    await h.frem(5);
    await evaluer(i, d, 'uaendret');
    await h.frem(5);
    await observation(i, d);
    await evaluer(i, d, 'uaendret');
    await h.roligt();
    expect(krav(await h.pligt(i.bestillingId)).filter((k) => k.trigger === 'T2')).toHaveLength(1);
    await h.frem(2);
    await h.writer.bestilling(
      {
        type: 'AendrBestilling',
        data: { bestillingId: i.bestillingId, begrundelse: 'Målet udgår.', afslutIndsatsmaal: [i.maal1] },
      },
      myndighedFor(i.kommunekode),
    );
    await h.frem(60);
    const events = await h.pligt(i.bestillingId);
    expect(bortfaldne(events)).toEqual(['indsatsmaal_afsluttet']);
    expect(paamindelser(events, 'KRAV-FRIST')).toEqual([]);
    expect(paamindelser(events, 'DELMAAL-DOKUMENTATION')).toEqual([]);
    expect(paamindelser(events, 'DELMAAL-FRISTER')).toEqual([]); // evalueringsdato 2026-06-01 is past, yet silent
  });

  it.each([
    {
      navn: 'a recommendation not answered lapses the day after its frist; the next observation may raise one',
      svar: false,
    },
    { navn: 'a recommendation answered in time does not lapse', svar: true },
  ])('$navn', async ({ svar }) => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    await vum(i, { paavirkerIndsatsen: true });
    await h.frem(1);
    await vum(i, { paavirkerIndsatsen: true }); // while one is open: no second
    await h.roligt();
    const [t3, ...andre] = krav(await h.pligt(i.bestillingId)).filter((k) => k.trigger === 'T3');
    expect(andre).toEqual([]);
    if (svar)
      await h.tilbagemelding(i.bestillingId, i.tilbudId, { trigger: 'T3', opfylderKravId: t3?.kravId as string });
    await h.frem(20);
    expect(bortfaldne(await h.pligt(i.bestillingId))).toEqual(svar ? [] : ['anbefaling_udloebet']);
    await vum(i, { paavirkerIndsatsen: true });
    await h.roligt();
    expect(krav(await h.pligt(i.bestillingId)).filter((k) => k.trigger === 'T3')).toHaveLength(2);
  });
});

describe('dates and versions', () => {
  it('T1 counts from the day of accept when the forventet startdato lies before it', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await afgiv(i);
    await kvitter(i);
    await h.writer.bestilling(
      { type: 'AccepterBestilling', data: { bestillingId: i.bestillingId, forventetStartdato: '2026-01-01' } },
      udfoerer(i),
    );
    await h.til('2026-04-09T23:00:00.000Z');
    expect(krav(await h.pligt(i.bestillingId))).toEqual([]);
    await h.til('2026-04-10T00:00:00.000Z'); // 21 days after 2026-03-20
    expect(krav(await h.pligt(i.bestillingId)).map((k) => k.trigger)).toEqual(['T1']);
  });

  it('a version superseded before its reminder is not reminded; the new one is', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await afgiv(i);
    await h.frem(2);
    await h.writer.bestilling(
      { type: 'AendrBestilling', data: { bestillingId: i.bestillingId, begrundelse: 'Nyt.', indsatsformaal: 'Nyt.' } },
      myndighedFor(i.kommunekode),
    );
    await h.frem(10);
    const sendte = fraRegel(await h.pligt(i.bestillingId), 'BESTILLING-KVITTERING').filter(
      (e): e is Sendt => e.type === 'PaamindelseSendt',
    );
    expect(sendte.map((e) => [e.data.emne.version, e.data.modtager])).toEqual([
      [2, 'udfoerer'],
      [2, 'myndighed'],
    ]);
  });

  it('a reminder names no delmål by its free-text navn (it may identify the borger); the emne carries the id', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    const d = await delmaal(i, { navn: 'Hanne skal besøge sin søster i Odense' });
    await h.frem(15);
    const events = await h.pligt(i.bestillingId);
    const sendt = events.filter((e): e is Sendt => e.type === 'PaamindelseSendt' && e.data.emne.delmaalId === d);
    expect(sendt.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain('Hanne');
  });
});

describe('what every firing records', () => {
  it('names the rule, its version, the causing event ids, and is written by the hub', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const i = nyIndsats();
    await accepteret(h.writer, i);
    await vum(i, { paavirkerIndsatsen: true });
    await h.roligt();
    const log = await h.store.readAll();
    const observationEvent = log.find((r) => r.type === 'VumObservationRegistreret');
    const kravEvent = log.find((r) => r.type === 'TilbagemeldingKraevet');
    const version = versionAf('T3-SITUATION-AENDRET');
    expect(kravEvent?.metadata.actor).toEqual({ party: 'hub', subject: `regel:T3-SITUATION-AENDRET@${version}` });
    expect(kravEvent?.metadata.causationId).toBe(observationEvent?.eventId);
    expect(kravEvent?.data).toMatchObject({
      regel: { id: 'T3-SITUATION-AENDRET', version },
      aarsager: [observationEvent?.eventId],
    });
  });

  it('another bestilling, another kommune and tilbud, is never touched by this one', async () => {
    h = new RegelHarness('2026-03-20T09:00:00.000Z');
    const a = nyIndsats('0101', 'tilbud-a');
    const b = nyIndsats('0147', 'tilbud-b');
    await accepteret(h.writer, a);
    await accepteret(h.writer, b);
    await vum(a, { borgerTagerIkkeImod: true });
    await h.roligt();
    expect(krav(await h.pligt(a.bestillingId))).toHaveLength(1);
    expect(krav(await h.pligt(b.bestillingId))).toHaveLength(0);
    for (const e of await h.pligt(a.bestillingId))
      expect(e.data).toMatchObject({ bestillingId: a.bestillingId, kommunekode: '0101', tilbudId: 'tilbud-a' });
  });
});
