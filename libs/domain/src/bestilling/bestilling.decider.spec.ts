import { ffbKatalog } from '../ffb/katalog';
import { ctx, afgivBestilling, FFB, IDS, indsatsmaalInput, kode } from '../testing/fixtures';
import { specification } from '../testing/specification';
import type { BestillingCommand } from './bestilling.commands';
import { decide, evolve, initialState, type BestillingOpslag } from './bestilling.decider';
import type { BestillingAendret, BestillingAfgivet, BestillingEvent } from './bestilling.events';

const spec = specification<ReturnType<typeof initialState>, BestillingEvent>({ initialState, evolve });
const run =
  (command: BestillingCommand, c = ctx(), opslag?: BestillingOpslag) =>
  (state: ReturnType<typeof initialState>) =>
    decide(command, state, c, opslag);
const at = (now: string) => ctx({ now });

/** Builds a history by deciding commands in order, as the write path would. */
function history(...commands: BestillingCommand[]): BestillingEvent[] {
  return commands.reduce<BestillingEvent[]>((events, command) => {
    const state = events.reduce(evolve, initialState());
    return [...events, ...decide(command, state, ctx())];
  }, []);
}

const b = IDS.bestilling;
const afgivet = () => history(afgivBestilling());
const kvitteret = () =>
  history(afgivBestilling(), { type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } });
const accepteret = () =>
  [...kvitteret(), ...history()].concat(
    decide(
      { type: 'AccepterBestilling', data: { bestillingId: b } },
      kvitteret().reduce(evolve, initialState()),
      ctx(),
    ),
  );
const vumObservation = (
  overrides: Partial<Extract<BestillingCommand, { type: 'RegistrerVumObservation' }>['data']> = {},
): BestillingCommand => ({
  type: 'RegistrerVumObservation',
  data: {
    bestillingId: b,
    observationId: IDS.observation1,
    tekst: 'Borgeren isolerer sig mere end normalt.',
    undertemaer: [kode(FFB.hukommelse)],
    paavirkerIndsatsen: true,
    observeret: '2026-02-28T20:00:00Z',
    ...overrides,
  },
});
const opfoelgning = (
  overrides: Partial<Extract<BestillingCommand, { type: 'GennemfoerOpfoelgning' }>['data']> = {},
): BestillingCommand => ({
  type: 'GennemfoerOpfoelgning',
  data: {
    bestillingId: b,
    opfoelgningId: IDS.opfoelgning,
    funktionsevne: [
      { undertema: FFB.indgaaISamspil, funktionsevneniveau: FFB.niveau1 },
      { undertema: kode(FFB.lavemad), funktionsevneniveau: FFB.niveauIkkeVurderet },
    ],
    borgerensVurdering: 'Det går bedre.',
    udfoerersVurdering: 'Borgeren deltager stabilt.',
    sagsbehandlersVurdering: 'Indsatsen virker.',
    stoettebehov: FFB.letStoettebehov,
    statusPaaIndsats: FFB.fortsaettelse,
    ...overrides,
  },
});

describe('Bestilling', () => {
  describe('når der ingen bestilling er', () => {
    it('afgiv bestilling records the order with FFB codes, display and catalog version', () => {
      const [event] = spec.given([]).when(run(afgivBestilling())).thenEvents() as [BestillingAfgivet];
      expect(event.type).toBe('BestillingAfgivet');
      expect(event.data.version).toBe(1);
      expect(event.data.afgivet).toBe('2026-03-01T09:00:00.000Z');
      expect(event.data.indsatsmaal.map((m) => m.nummer)).toEqual([1, 2]);
      expect(event.data.indsatsmaal[0]?.undertema).toEqual({
        code: FFB.indgaaISamspil,
        display: 'Indgå i samspil og kontakt',
        version: ffbKatalog.version,
      });
      expect(event.data.stoettebehov.display).toBe('Moderat støttebehov');
      expect(event.data.advarsler).toEqual([]);
      expect(JSON.stringify(event)).not.toMatch(/cpr/i);
    });

    it.each<BestillingCommand>([
      { type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } },
      { type: 'AnnullerBestilling', data: { bestillingId: b, begrundelse: 'x' } },
      vumObservation(),
    ])('$type on an unknown bestilling is BESTILLING.FINDES_IKKE', (command) => {
      const error = spec.given([]).when(run(command)).thenRejects('BESTILLING.FINDES_IKKE');
      expect(error.kind).toBe('not_found');
    });

    it('afgiv twice is BESTILLING.FINDES_ALLEREDE', () => {
      spec.given(afgivet()).when(run(afgivBestilling())).thenRejects('BESTILLING.FINDES_ALLEREDE');
    });
  });

  describe('reject rules on afgiv bestilling', () => {
    const maal = (overrides: Parameters<typeof indsatsmaalInput>[0]) => ({
      indsatsmaal: [indsatsmaalInput(overrides)],
    });
    it.each<[string, string, Partial<Parameters<typeof afgivBestilling>[0]>, string]>([
      [
        'R-01',
        'an indsatsmål on a Funktioner og forhold undertema',
        maal({ undertema: kode(FFB.hukommelse) }),
        'indsatsmaal[0].undertema',
      ],
      [
        'R-01',
        'an indsatsmål on an Omgivelsesfaktorer undertema',
        maal({ undertema: kode(FFB.boligomraade) }),
        'indsatsmaal[0].undertema',
      ],
      [
        'R-02',
        'two undertemaer on one mål',
        maal({ undertema: [FFB.indgaaISamspil, FFB.varetageRelationer] }),
        'indsatsmaal[0].undertema',
      ],
      ['R-02', 'no undertema on a mål', maal({ undertema: [] }), 'indsatsmaal[0].undertema'],
      [
        'R-03',
        'a related undertema outside A&D',
        maal({ relateredeUndertemaer: [kode(FFB.hukommelse)] }),
        'indsatsmaal[0].relateredeUndertemaer[0]',
      ],
      [
        'R-03',
        'a related undertema equal to the mål undertema',
        maal({ relateredeUndertemaer: [FFB.indgaaISamspil] }),
        'indsatsmaal[0].relateredeUndertemaer[0]',
      ],
      ['R-06', 'a missing måltype', maal({ maaltype: undefined as unknown as string }), 'indsatsmaal[0].maaltype'],
      [
        'R-06',
        'a måltype that is a støttebehov code',
        maal({ maaltype: FFB.moderatStoettebehov }),
        'indsatsmaal[0].maaltype',
      ],
      ['R-10', 'no støttebehov', { stoettebehov: undefined as unknown as string }, 'stoettebehov'],
      ['R-10', 'two støttebehov', { stoettebehov: [FFB.moderatStoettebehov, FFB.letStoettebehov] }, 'stoettebehov'],
      [
        'R-12',
        'two primære målgrupper',
        { primaerMaalgruppe: [kode(FFB.autismespektrum), kode(FFB.angst)] },
        'primaerMaalgruppe',
      ],
      ['R-12', 'no primær målgruppe', { primaerMaalgruppe: undefined as unknown as string }, 'primaerMaalgruppe'],
      [
        'R-12',
        'the primær målgruppe again among the øvrige',
        { oevrigeMaalgrupper: [kode(FFB.autismespektrum)] },
        'oevrigeMaalgrupper[0]',
      ],
      [
        'R-15',
        'an unknown ydelse code',
        {
          ydelser: [
            { ydelseLinjeId: IDS.ydelse1, ydelse: '00000000-0000-4000-8000-000000000000', startdato: '2026-03-15' },
          ],
        },
        'ydelser[0].ydelse',
      ],
      [
        'R-15',
        'a tilbud code used as ydelse',
        { ydelser: [{ ydelseLinjeId: IDS.ydelse1, ydelse: kode(FFB.mobiltTilbud), startdato: '2026-03-15' }] },
        'ydelser[0].ydelse',
      ],
      ['R-15', 'a målgruppe that is an undertema', { primaerMaalgruppe: FFB.indgaaISamspil }, 'primaerMaalgruppe'],
      ['R-15', 'an unknown socialt tilbud type', { tilbudstype: 'botilbud' }, 'tilbudstype'],
      [
        'R-17',
        'a ydelse ending before it starts',
        {
          ydelser: [
            {
              ydelseLinjeId: IDS.ydelse1,
              ydelse: kode(FFB.stoetteTilSocialeRelationer),
              startdato: '2026-03-15',
              slutdato: '2026-03-14',
            },
          ],
        },
        'ydelser[0].slutdato',
      ],
      [
        'FFB.UGYLDIG_KODE',
        'an unknown undertema code',
        maal({ undertema: '00000000-0000-4000-8000-000000000000' }),
        'indsatsmaal[0].undertema',
      ],
      [
        'FFB.UGYLDIG_KODE',
        'an overtema where an undertema belongs',
        maal({ undertema: kode(FFB.relationerOvertema) }),
        'indsatsmaal[0].undertema',
      ],
      [
        'FFB.UGYLDIG_KODE',
        'a funktionsevneniveau that is a måltype',
        maal({ aktueltFunktionsevneniveau: FFB.udvikle }),
        'indsatsmaal[0].aktueltFunktionsevneniveau',
      ],
      [
        'FELT.UGYLDIG_DATO',
        'an impossible opfølgningsdato',
        maal({ opfoelgningsdato: '2026-02-30' }),
        'indsatsmaal[0].opfoelgningsdato',
      ],
      ['FELT.PAAKRAEVET', 'an empty målformulering', maal({ maalformulering: '  ' }), 'indsatsmaal[0].maalformulering'],
      [
        'FELT.ID_FINDES_ALLEREDE',
        'two indsatsmål with one id',
        { indsatsmaal: [indsatsmaalInput(), indsatsmaalInput({ undertema: kode(FFB.lavemad) })] },
        'indsatsmaal[1].indsatsmaalId',
      ],
      ['BESTILLING.INGEN_INDSATSMAAL', 'no indsatsmål', { indsatsmaal: [] }, 'indsatsmaal'],
      ['BESTILLING.INGEN_YDELSER', 'no ydelser', { ydelser: [] }, 'ydelser'],
      ['FELT.UGYLDIG_VAERDI', 'a kommunekode of three digits', { kommunekode: '101' }, 'kommunekode'],
      ['FELT.UGYLDIG_VAERDI', 'a lovgrundlag FFB does not cover', { lovgrundlag: ['SUL-138' as never] }, 'lovgrundlag'],
    ])('%s: %s is refused', (code, _what, overrides, field) => {
      spec
        .given([])
        .when(run(afgivBestilling(overrides)))
        .thenRejects(code, field);
    });

    it('reports every violation of one command at once, the rule as its kind', () => {
      const error = spec
        .given([])
        .when(
          run(
            afgivBestilling({
              stoettebehov: [],
              indsatsmaal: [indsatsmaalInput({ undertema: kode(FFB.hukommelse), maaltype: 'x' })],
            }),
          ),
        )
        .thenRejects('R-10');
      expect(error.violations.map((v) => v.code).sort()).toEqual(['R-01', 'R-06', 'R-10']);
      expect(error.kind).toBe('rule');
    });
  });

  describe('warn rules', () => {
    const botilbud = { tilbudstype: kode(FFB.midlertidigtBotilbud), lovgrundlag: ['SEL-107' as const] };
    it('R-16: a botilbud without an opholdsydelse is accepted with a warning recorded on the event', () => {
      const [event] = spec
        .given([])
        .when(run(afgivBestilling(botilbud)))
        .thenEvents() as [BestillingAfgivet];
      expect(event.data.advarsler.map((a) => a.code)).toEqual(['R-16']);
    });
    it('R-16: a kommune that configures it to reject refuses the bestilling', () => {
      spec
        .given([])
        .when(run(afgivBestilling(botilbud), ctx({ regler: { afvisAdvarsler: ['R-16'] } })))
        .thenRejects('R-16', 'ydelser');
    });
    it('R-16: a botilbud with midlertidigt ophold gives no warning', () => {
      const ydelser = [
        { ydelseLinjeId: IDS.ydelse1, ydelse: kode(FFB.stoetteTilSocialeRelationer), startdato: '2026-03-15' },
        { ydelseLinjeId: IDS.ydelse2, ydelse: kode(FFB.midlertidigtOphold), startdato: '2026-03-15' },
      ];
      const [event] = spec
        .given([])
        .when(run(afgivBestilling({ ...botilbud, ydelser })))
        .thenEvents() as [BestillingAfgivet];
      expect(event.data.advarsler).toEqual([]);
    });
    it('R-18: ordering only the ophold ("til døren") warns', () => {
      const ydelser = [{ ydelseLinjeId: IDS.ydelse2, ydelse: kode(FFB.midlertidigtOphold), startdato: '2026-03-15' }];
      const [event] = spec
        .given([])
        .when(run(afgivBestilling({ ...botilbud, ydelser })))
        .thenEvents() as [BestillingAfgivet];
      expect(event.data.advarsler.map((a) => a.code)).toEqual(['R-18']);
    });
    it('R-08: fastholde with a forventet level other than the aktuelle warns; Ikke vurderet does not', () => {
      const fastholde = afgivBestilling({ indsatsmaal: [indsatsmaalInput({ maaltype: FFB.fastholde })] });
      const [event] = spec.given([]).when(run(fastholde)).thenEvents() as [BestillingAfgivet];
      expect(event.data.advarsler).toEqual([
        expect.objectContaining({ code: 'R-08', field: 'indsatsmaal[0].forventetFunktionsevneniveau' }),
      ]);
      const ikkeVurderet = afgivBestilling({
        indsatsmaal: [
          indsatsmaalInput({ maaltype: FFB.fastholde, aktueltFunktionsevneniveau: FFB.niveauIkkeVurderet }),
        ],
      });
      expect((spec.given([]).when(run(ikkeVurderet)).thenEvents()[0] as BestillingAfgivet).data.advarsler).toEqual([]);
    });
    it('R-22: off by default; a kommune expecting 2–3 indsatsmål is warned about one', () => {
      const one = afgivBestilling({ indsatsmaal: [indsatsmaalInput()] });
      expect((spec.given([]).when(run(one)).thenEvents()[0] as BestillingAfgivet).data.advarsler).toEqual([]);
      const [event] = spec
        .given([])
        .when(run(one, ctx({ regler: { antalIndsatsmaal: { min: 2, max: 3 } } })))
        .thenEvents() as [BestillingAfgivet];
      expect(event.data.advarsler.map((a) => a.code)).toEqual(['R-22']);
    });
  });

  describe('kvittering, accept and afvisning', () => {
    it('the udfører kvitterer the version it received', () => {
      spec
        .given(afgivet())
        .when(run({ type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } }))
        .then([
          { type: 'BestillingKvitteret', data: { bestillingId: b, version: 1, kvitteret: '2026-03-01T09:00:00.000Z' } },
        ]);
    });
    it('kvittering of another version is refused, and of the same version twice', () => {
      spec
        .given(afgivet())
        .when(run({ type: 'KvitterBestilling', data: { bestillingId: b, version: 2 } }))
        .thenRejects('FELT.UGYLDIG_VAERDI', 'version');
      spec
        .given(kvitteret())
        .when(run({ type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } }))
        .thenRejects('BESTILLING.ALLEREDE_KVITTERET');
    });
    it('accept before kvittering is BESTILLING.IKKE_KVITTERET', () => {
      spec
        .given(afgivet())
        .when(run({ type: 'AccepterBestilling', data: { bestillingId: b } }))
        .thenRejects('BESTILLING.IKKE_KVITTERET');
    });
    it('accept after kvittering, then a second answer is BESTILLING.ALLEREDE_BESVARET', () => {
      spec
        .given(kvitteret())
        .when(run({ type: 'AccepterBestilling', data: { bestillingId: b, forventetStartdato: '2026-03-15' } }))
        .then([
          {
            type: 'BestillingAccepteret',
            data: { bestillingId: b, accepteret: '2026-03-01T09:00:00.000Z', forventetStartdato: '2026-03-15' },
          },
        ]);
      spec
        .given(accepteret())
        .when(run({ type: 'AfvisBestilling', data: { bestillingId: b, begrundelse: 'Ingen plads' } }))
        .thenRejects('BESTILLING.ALLEREDE_BESVARET');
    });
    it('afvisning needs a begrundelse and ends the bestilling', () => {
      spec
        .given(kvitteret())
        .when(run({ type: 'AfvisBestilling', data: { bestillingId: b, begrundelse: '' } }))
        .thenRejects('FELT.PAAKRAEVET', 'begrundelse');
      const afvist = [
        ...kvitteret(),
        ...decide(
          { type: 'AfvisBestilling', data: { bestillingId: b, begrundelse: 'Ingen plads' } },
          kvitteret().reduce(evolve, initialState()),
          ctx(),
        ),
      ];
      spec.given(afvist).when(run(vumObservation())).thenRejects('BESTILLING.IKKE_AKTIV');
    });
    it('annullering is possible until the udfører answers, not after', () => {
      spec
        .given(kvitteret())
        .when(run({ type: 'AnnullerBestilling', data: { bestillingId: b, begrundelse: 'Borgeren er flyttet' } }))
        .thenEvents();
      spec
        .given(accepteret())
        .when(run({ type: 'AnnullerBestilling', data: { bestillingId: b, begrundelse: 'x' } }))
        .thenRejects('BESTILLING.ALLEREDE_BESVARET');
    });
  });

  describe('ændring (a new version)', () => {
    it('adds, changes and ends indsatsmål; the version goes up and needs a new kvittering', () => {
      const command: BestillingCommand = {
        type: 'AendrBestilling',
        data: {
          bestillingId: b,
          begrundelse: 'Opfølgning viste nyt behov',
          tilfoejIndsatsmaal: [
            indsatsmaalInput({ indsatsmaalId: IDS.maal3, undertema: kode(FFB.koebeInd), relateredeUndertemaer: [] }),
          ],
          aendrIndsatsmaal: [indsatsmaalInput({ opfoelgningsdato: '2026-12-01' })],
          afslutIndsatsmaal: [IDS.maal2],
        },
      };
      const events = spec.given(accepteret()).when(run(command)).thenEvents();
      const state = [...accepteret(), ...events].reduce(evolve, initialState());
      if (state.fase === 'ingen') throw new Error('unreachable');
      expect(state.version).toBe(2);
      expect(state.indsatsmaal.map((m) => [m.nummer, m.aktiv, m.opfoelgningsdato])).toEqual([
        [1, true, '2026-12-01'],
        [2, false, '2026-09-01'],
        [3, true, '2026-09-01'],
      ]);
      spec
        .given([...accepteret(), ...events])
        .when(run({ type: 'KvitterBestilling', data: { bestillingId: b, version: 2 } }))
        .thenEvents();
    });
    it('an ændring that changes nothing, ends every indsatsmål, or names an unknown one is refused', () => {
      spec
        .given(accepteret())
        .when(run({ type: 'AendrBestilling', data: { bestillingId: b, begrundelse: 'x' } }))
        .thenRejects('BESTILLING.INGEN_AENDRING');
      spec
        .given(accepteret())
        .when(
          run({
            type: 'AendrBestilling',
            data: { bestillingId: b, begrundelse: 'x', afslutIndsatsmaal: [IDS.maal1, IDS.maal2] },
          }),
        )
        .thenRejects('BESTILLING.INGEN_INDSATSMAAL');
      spec
        .given(accepteret())
        .when(
          run({ type: 'AendrBestilling', data: { bestillingId: b, begrundelse: 'x', afslutIndsatsmaal: [IDS.maal3] } }),
        )
        .thenRejects('INDSATSMAAL.FINDES_IKKE');
    });
    it('R-01 and R-17 hold for an ændring too', () => {
      spec
        .given(accepteret())
        .when(
          run({
            type: 'AendrBestilling',
            data: {
              bestillingId: b,
              begrundelse: 'x',
              aendrIndsatsmaal: [indsatsmaalInput({ undertema: kode(FFB.hukommelse) })],
            },
          }),
        )
        .thenRejects('R-01');
      spec
        .given(accepteret())
        .when(
          run({
            type: 'AendrBestilling',
            data: {
              bestillingId: b,
              begrundelse: 'x',
              aendrYdelser: [
                {
                  ydelseLinjeId: IDS.ydelse1,
                  ydelse: kode(FFB.stoetteTilSocialeRelationer),
                  startdato: '2026-03-15',
                  slutdato: '2026-01-01',
                },
              ],
            },
          }),
        )
        .thenRejects('R-17');
    });
  });

  describe('documentation by the udfører', () => {
    it('nothing is documented on a bestilling that is not accepted', () => {
      spec.given(kvitteret()).when(run(vumObservation())).thenRejects('BESTILLING.IKKE_ACCEPTERET');
    });
    it('a VUM-observation may be tagged with undertemaer of any kategori', () => {
      const [event] = spec
        .given(accepteret())
        .when(run(vumObservation({ undertemaer: [kode(FFB.hukommelse), kode(FFB.boligomraade), FFB.indgaaISamspil] })))
        .thenEvents();
      expect(event?.type).toBe('VumObservationRegistreret');
    });
    it('R-25: a VUM-observation without an undertema is refused', () => {
      spec
        .given(accepteret())
        .when(run(vumObservation({ undertemaer: [] })))
        .thenRejects('R-25', 'undertemaer');
    });
    it('an observation in the future or with an overtema tag is refused', () => {
      spec
        .given(accepteret())
        .when(run(vumObservation({ observeret: '2026-03-02T00:00:00Z' })))
        .thenRejects('FELT.UGYLDIG_DATO', 'observeret');
      spec
        .given(accepteret())
        .when(run(vumObservation({ undertemaer: [kode(FFB.relationerOvertema)] })))
        .thenRejects('FFB.UGYLDIG_KODE', 'undertemaer[0]');
    });
    it('R-30: a status must answer every active indsatsmål', () => {
      const status = (indsatsmaal: { indsatsmaalId: string; statustekst: string }[]): BestillingCommand => ({
        type: 'SendStatus',
        data: { bestillingId: b, statusId: IDS.status, indsatsmaal },
      });
      spec
        .given(accepteret())
        .when(run(status([{ indsatsmaalId: IDS.maal1, statustekst: 'Fremgang' }])))
        .thenRejects('R-30', 'indsatsmaal');
      spec
        .given(accepteret())
        .when(
          run(
            status([
              { indsatsmaalId: IDS.maal1, statustekst: 'Fremgang' },
              { indsatsmaalId: IDS.maal2, statustekst: '' },
            ]),
          ),
        )
        .thenRejects('R-30', 'indsatsmaal[1].statustekst');
      spec
        .given(accepteret())
        .when(
          run(
            status([
              { indsatsmaalId: IDS.maal1, statustekst: 'Fremgang' },
              { indsatsmaalId: IDS.maal2, statustekst: 'Uændret' },
            ]),
          ),
        )
        .thenEvents();
    });
    it('a tilbagemelding references observations of this bestilling only', () => {
      const med = [...accepteret(), ...decide(vumObservation(), accepteret().reduce(evolve, initialState()), ctx())];
      const tilbagemelding = (
        observationer: { type: 'vum' | 'delmaal'; observationId: string; delmaalId?: string }[],
      ): BestillingCommand => ({
        type: 'SendTilbagemelding',
        data: {
          bestillingId: b,
          tilbagemeldingId: IDS.tilbagemelding,
          trigger: 'T3',
          tekst: 'Borgerens situation har ændret sig.',
          observationer,
        },
      });
      spec
        .given(med)
        .when(run(tilbagemelding([{ type: 'vum', observationId: IDS.observation2 }])))
        .thenRejects('OBSERVATION.FINDES_IKKE', 'observationer[0]');
      spec
        .given(med)
        .when(run(tilbagemelding([{ type: 'delmaal', observationId: IDS.observation2, delmaalId: IDS.delmaal1 }])))
        .thenRejects('OBSERVATION.FINDES_IKKE');
      // At most 20 references: the integration event carries each observation in full and must stay sendable.
      spec
        .given(med)
        .when(
          run(
            tilbagemelding(
              Array.from({ length: 21 }, () => ({ type: 'vum' as const, observationId: IDS.observation2 })),
            ),
          ),
        )
        .thenRejects('FELT.UGYLDIG_VAERDI', 'observationer');
      const opslag: BestillingOpslag = {
        delmaal: new Map([[IDS.delmaal1, { bestillingId: b, observationer: [IDS.observation2] }]]),
      };
      const [event] = spec
        .given(med)
        .when(
          run(
            tilbagemelding([
              { type: 'vum', observationId: IDS.observation1 },
              { type: 'delmaal', observationId: IDS.observation2, delmaalId: IDS.delmaal1 },
            ]),
            ctx(),
            opslag,
          ),
        )
        .thenEvents();
      expect(event).toMatchObject({
        type: 'TilbagemeldingSendt',
        data: { trigger: 'T3', observationer: [{ type: 'vum' }, { type: 'delmaal', delmaalId: IDS.delmaal1 }] },
      });
    });
  });

  describe('myndighedens kvittering, opfølgning og afslutning', () => {
    const medTilbagemelding = () => {
      const base = accepteret();
      return [
        ...base,
        ...decide(
          {
            type: 'SendTilbagemelding',
            data: {
              bestillingId: b,
              tilbagemeldingId: IDS.tilbagemelding,
              trigger: 'T1',
              tekst: 'Borgeren tager ikke imod.',
            },
          },
          base.reduce(evolve, initialState()),
          ctx(),
        ),
      ];
    };
    it('the myndighed kvitterer a tilbagemelding once', () => {
      const events = spec
        .given(medTilbagemelding())
        .when(run({ type: 'KvitterTilbagemelding', data: { bestillingId: b, tilbagemeldingId: IDS.tilbagemelding } }))
        .thenEvents();
      spec
        .given([...medTilbagemelding(), ...events])
        .when(run({ type: 'KvitterTilbagemelding', data: { bestillingId: b, tilbagemeldingId: IDS.tilbagemelding } }))
        .thenRejects('TILBAGEMELDING.ALLEREDE_KVITTERET');
      spec
        .given(accepteret())
        .when(run({ type: 'KvitterTilbagemelding', data: { bestillingId: b, tilbagemeldingId: IDS.tilbagemelding } }))
        .thenRejects('TILBAGEMELDING.FINDES_IKKE');
    });
    it('an opfølgning records levels, the three vurderinger, støttebehov and status på indsats', () => {
      const [event] = spec.given(accepteret()).when(run(opfoelgning())).thenEvents();
      expect(event).toMatchObject({
        type: 'OpfoelgningGennemfoert',
        data: {
          statusPaaIndsats: { display: 'Træf afgørelse om fortsættelse af indsats' },
          stoettebehov: { display: 'Let støttebehov' },
        },
      });
    });
    it('R-31: an opfølgning without status på indsats is refused', () => {
      spec
        .given(accepteret())
        .when(run(opfoelgning({ statusPaaIndsats: null })))
        .thenRejects('R-31', 'statusPaaIndsats');
    });
    it('R-32: every undertema an indsatsmål targets needs a level, and the three vurderinger are required', () => {
      spec
        .given(accepteret())
        .when(
          run(opfoelgning({ funktionsevne: [{ undertema: FFB.indgaaISamspil, funktionsevneniveau: FFB.niveau1 }] })),
        )
        .thenRejects('R-32', 'funktionsevne');
      spec
        .given(accepteret())
        .when(run(opfoelgning({ udfoerersVurdering: '' })))
        .thenRejects('R-32', 'udfoerersVurdering');
    });
    it('R-04: no funktionsevneniveau on a Funktioner og forhold undertema', () => {
      const funktionsevne = [
        { undertema: FFB.indgaaISamspil, funktionsevneniveau: FFB.niveau1 },
        { undertema: kode(FFB.lavemad), funktionsevneniveau: FFB.niveau1 },
        { undertema: kode(FFB.hukommelse), funktionsevneniveau: FFB.niveau2 },
      ];
      spec
        .given(accepteret())
        .when(run(opfoelgning({ funktionsevne })))
        .thenRejects('R-04', 'funktionsevne[2].undertema');
    });
    it('R-10: an opfølgning sets exactly one støttebehov', () => {
      spec
        .given(accepteret())
        .when(run(opfoelgning({ stoettebehov: [] })))
        .thenRejects('R-10', 'stoettebehov');
    });
    it('nothing happens after afslutning', () => {
      const afsluttet = [
        ...accepteret(),
        ...decide(
          { type: 'AfslutIndsats', data: { bestillingId: b, slutdato: '2026-09-30', begrundelse: 'Målene er nået' } },
          accepteret().reduce(evolve, initialState()),
          at('2026-09-30T12:00:00Z'),
        ),
      ];
      for (const command of [
        vumObservation(),
        opfoelgning(),
        {
          type: 'AendrBestilling',
          data: { bestillingId: b, begrundelse: 'x', afslutIndsatsmaal: [IDS.maal2] },
        } as BestillingCommand,
      ]) {
        spec.given(afsluttet).when(run(command)).thenRejects('BESTILLING.AFSLUTTET');
      }
    });
  });

  it('evolve ignores events for a stream that does not exist yet (total, never throws)', () => {
    expect(
      evolve(initialState(), {
        type: 'IndsatsAfsluttet',
        data: { bestillingId: b, afsluttet: 'x', slutdato: 'x', begrundelse: 'x' },
      }),
    ).toEqual({ fase: 'ingen' });
  });

  describe('review fixes', () => {
    const aendr = (
      data: Partial<Extract<BestillingCommand, { type: 'AendrBestilling' }>['data']>,
    ): BestillingCommand => ({
      type: 'AendrBestilling',
      data: { bestillingId: b, begrundelse: 'Ny viden', ...data },
    });
    const after = (events: BestillingEvent[], command: BestillingCommand) => [
      ...events,
      ...decide(command, events.reduce(evolve, initialState()), ctx()),
    ];

    it('accept needs a kvittering of the current version: v1 kvitteret, v2 afgivet by an ændring → refused until v2 is kvitteret', () => {
      const v2 = after(kvitteret(), aendr({ indsatsformaal: 'Et nyt formål' }));
      spec
        .given(v2)
        .when(run({ type: 'AccepterBestilling', data: { bestillingId: b } }))
        .thenRejects('BESTILLING.IKKE_KVITTERET');
      const v2Kvitteret = after(v2, { type: 'KvitterBestilling', data: { bestillingId: b, version: 2 } });
      spec
        .given(v2Kvitteret)
        .when(run({ type: 'AccepterBestilling', data: { bestillingId: b } }))
        .thenEvents();
    });

    it('after afslutning a tilbagemelding can still be kvitteret (a loose end), but nothing new documented', () => {
      const med = after(accepteret(), {
        type: 'SendTilbagemelding',
        data: { bestillingId: b, tilbagemeldingId: IDS.tilbagemelding, trigger: 'T1', tekst: 'x' },
      });
      const afsluttet = after(med, {
        type: 'AfslutIndsats',
        data: { bestillingId: b, slutdato: '2026-03-01', begrundelse: 'x' },
      });
      spec
        .given(afsluttet)
        .when(run({ type: 'KvitterTilbagemelding', data: { bestillingId: b, tilbagemeldingId: IDS.tilbagemelding } }))
        .thenEvents();
      spec.given(afsluttet).when(run(vumObservation())).thenRejects('BESTILLING.AFSLUTTET');
    });

    it.each<[string, Partial<Extract<BestillingCommand, { type: 'AendrBestilling' }>['data']>, string]>([
      [
        'the same indsatsmål changed twice',
        { aendrIndsatsmaal: [indsatsmaalInput(), indsatsmaalInput()] },
        'aendrIndsatsmaal',
      ],
      ['the same indsatsmål ended twice', { afslutIndsatsmaal: [IDS.maal2, IDS.maal2] }, 'afslutIndsatsmaal'],
      [
        'the same ydelse-linje changed twice',
        {
          aendrYdelser: [1, 2].map(() => ({
            ydelseLinjeId: IDS.ydelse1,
            ydelse: kode(FFB.stoetteTilSocialeRelationer),
            startdato: '2026-03-15',
          })),
        },
        'aendrYdelser',
      ],
    ])('FELT.DUBLET_ID: %s in one ændring is refused', (_what, data, field) => {
      spec
        .given(accepteret())
        .when(run(aendr(data)))
        .thenRejects('FELT.DUBLET_ID', field);
    });

    it('FELT.DUBLET_ID: a lovgrundlag named twice is refused', () => {
      spec
        .given([])
        .when(run(afgivBestilling({ lovgrundlag: ['SEL-85', 'SEL-85'] })))
        .thenRejects('FELT.DUBLET_ID', 'lovgrundlag');
    });

    it('an ændring is warned only about what it changes, at its own field paths', () => {
      // Indsatsmål 1 is fastholde with 2 → 1: an R-08 warning at afgivelse.
      const medAdvarsel = history(afgivBestilling({ indsatsmaal: [indsatsmaalInput({ maaltype: FFB.fastholde })] }), {
        type: 'KvitterBestilling',
        data: { bestillingId: b, version: 1 },
      });
      expect((medAdvarsel[0] as BestillingAfgivet).data.advarsler.map((a) => a.code)).toEqual(['R-08']);
      const urelateret = spec
        .given(medAdvarsel)
        .when(run(aendr({ indsatsformaal: 'Nyt formål' })))
        .thenEvents();
      expect((urelateret[0] as BestillingAendret).data.advarsler).toEqual([]);
      // A kommune refusing R-08 does not refuse an ændring that leaves that goal alone.
      spec
        .given(medAdvarsel)
        .when(run(aendr({ indsatsformaal: 'Nyt formål' }), ctx({ regler: { afvisAdvarsler: ['R-08'] } })))
        .thenEvents();
      const ny = indsatsmaalInput({
        indsatsmaalId: IDS.maal3,
        maaltype: FFB.fastholde,
        undertema: kode(FFB.koebeInd),
        relateredeUndertemaer: [],
      });
      const medNy = spec
        .given(medAdvarsel)
        .when(run(aendr({ tilfoejIndsatsmaal: [ny] })))
        .thenEvents();
      expect((medNy[0] as BestillingAendret).data.advarsler).toEqual([
        expect.objectContaining({ code: 'R-08', field: 'tilfoejIndsatsmaal[0].forventetFunktionsevneniveau' }),
      ]);
    });

    it('ids are lower-case UUIDs: the same id spelled in upper case is refused, not taken as another stream', () => {
      spec
        .given([])
        .when(run(afgivBestilling({ bestillingId: IDS.bestilling.toUpperCase() })))
        .thenRejects('FELT.UGYLDIG_VAERDI', 'bestillingId');
    });
  });
});
