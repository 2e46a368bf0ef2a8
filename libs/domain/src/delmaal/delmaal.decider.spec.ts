import * as bestilling from '../bestilling/bestilling.decider';
import type { BestillingCommand } from '../bestilling/bestilling.commands';
import type { BestillingEvent } from '../bestilling/bestilling.events';
import type { BestillingState } from '../bestilling/bestilling.state';
import { forslagTilStatus } from '../bestilling/status-forslag';
import { afgivBestilling, ctx, IDS, indsatsmaalInput, kode, opretDelmaal } from '../testing/fixtures';
import { specification } from '../testing/specification';
import { decide, evolve, initialState, type DelmaalFindes, type DelmaalState } from './delmaal.decider';
import type { DelmaalCommand, DelmaalEvent, EvaluerDelmaal } from './delmaal.events';

const spec = specification<DelmaalState, DelmaalEvent>({ initialState, evolve });
const b = IDS.bestilling;

function bestillingEfter(...commands: BestillingCommand[]): BestillingState {
  return commands.reduce<{ state: BestillingState; events: BestillingEvent[] }>(
    (acc, command) => {
      const events = bestilling.decide(command, acc.state, ctx());
      return { state: events.reduce(bestilling.evolve, acc.state), events: [...acc.events, ...events] };
    },
    { state: bestilling.initialState(), events: [] },
  ).state;
}

const kvitteret = () =>
  bestillingEfter(afgivBestilling(), { type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } });
const accepteret = () =>
  bestillingEfter(
    afgivBestilling(),
    { type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } },
    { type: 'AccepterBestilling', data: { bestillingId: b } },
  );
const run =
  (command: DelmaalCommand, best: BestillingState = accepteret(), c = ctx()) =>
  (state: DelmaalState) =>
    decide(command, state, c, best);
const oprettet = () => decide(opretDelmaal(), initialState(), ctx(), accepteret());

const observation = (
  overrides: Partial<Extract<DelmaalCommand, { type: 'RegistrerDelmaalsobservation' }>['data']> = {},
): DelmaalCommand => ({
  type: 'RegistrerDelmaalsobservation',
  data: {
    delmaalId: IDS.delmaal1,
    observationId: IDS.observation1,
    observation: 'Deltog i fællesspisning i 20 minutter.',
    refleksion: 'Virkede tryg med kontaktpersonen ved siden af.',
    observeret: '2026-02-27T18:30:00+01:00',
    ...overrides,
  },
});
const evaluering = (overrides: Partial<EvaluerDelmaal['data']> = {}): EvaluerDelmaal => ({
  type: 'EvaluerDelmaal',
  data: {
    delmaalId: IDS.delmaal1,
    evalueringId: IDS.evaluering,
    dato: '2026-03-01',
    hvordanGaarDet: 'Møder op hver uge.',
    virkningForBorgeren: 'Mindre angst ved måltider.',
    borgerensOplevelse: '"Det er hyggeligt."',
    refleksionerOverMetoder: 'Low arousal virker.',
    giverAnledningTilAendringer: false,
    udvikling: 'fremgang',
    konklusion: 'Delmålet er på vej til at blive nået.',
    ...overrides,
  },
});

describe('Delmål', () => {
  it('is created under an active indsatsmål of an accepted bestilling, carrying the parties for scoping', () => {
    const [event] = spec.given([]).when(run(opretDelmaal())).thenEvents();
    expect(event).toMatchObject({
      type: 'DelmaalOprettet',
      data: {
        bestillingId: b,
        indsatsmaalId: IDS.maal1,
        kommunekode: '0101',
        tilbudId: 'tilbud-4711',
        borgerId: IDS.borger,
      },
    });
  });

  it('R-20: a delmål under an unknown indsatsmål is refused', () => {
    spec
      .given([])
      .when(run(opretDelmaal({ indsatsmaalId: IDS.maal3 })))
      .thenRejects('R-20', 'indsatsmaalId');
  });

  it('R-20: a delmål under an ended indsatsmål is refused, and so is documentation on its existing delmål', () => {
    const aendret = bestillingEfter(
      afgivBestilling(),
      { type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } },
      { type: 'AccepterBestilling', data: { bestillingId: b } },
      { type: 'AendrBestilling', data: { bestillingId: b, begrundelse: 'x', afslutIndsatsmaal: [IDS.maal1] } },
    );
    spec.given([]).when(run(opretDelmaal(), aendret)).thenRejects('R-20', 'indsatsmaalId');
    spec.given(oprettet()).when(run(observation(), aendret)).thenRejects('R-20');
    spec
      .given(oprettet())
      .when(
        run(
          {
            type: 'AfslutDelmaal',
            data: {
              delmaalId: IDS.delmaal1,
              maalopfyldelse: 'delvist_opnaaet',
              konklusion: 'Indsatsmålet blev afsluttet.',
            },
          },
          aendret,
        ),
      )
      .thenEvents();
  });

  it('nothing is documented on a bestilling that is not accepted', () => {
    spec.given([]).when(run(opretDelmaal(), kvitteret())).thenRejects('BESTILLING.IKKE_ACCEPTERET');
    spec.given([]).when(run(opretDelmaal(), bestilling.initialState())).thenRejects('BESTILLING.FINDES_IKKE');
  });

  it('nothing is documented after afslutning of the indsats', () => {
    const afsluttet = bestillingEfter(
      afgivBestilling(),
      { type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } },
      { type: 'AccepterBestilling', data: { bestillingId: b } },
      { type: 'AfslutIndsats', data: { bestillingId: b, slutdato: '2026-03-01', begrundelse: 'x' } },
    );
    spec.given(oprettet()).when(run(observation(), afsluttet)).thenRejects('BESTILLING.AFSLUTTET');
  });

  it('R-23: an active delmål needs a slutdato; dates must be in order', () => {
    spec
      .given([])
      .when(run(opretDelmaal({ slutdato: undefined as unknown as string })))
      .thenRejects('R-23', 'slutdato');
    spec
      .given([])
      .when(run(opretDelmaal({ evalueringsdato: '2026-12-01' })))
      .thenRejects('FELT.DATO_RAEKKEFOELGE', 'evalueringsdato');
  });

  it('a delmålsobservation keeps observation and refleksion apart', () => {
    const [event] = spec.given(oprettet()).when(run(observation())).thenEvents();
    expect(event).toMatchObject({
      data: {
        observation: 'Deltog i fællesspisning i 20 minutter.',
        refleksion: 'Virkede tryg med kontaktpersonen ved siden af.',
        score: null,
      },
    });
  });

  it('R-28: a tilbud that scores needs a 0–4 score on every delmålsobservation; a score outside 0–4 is refused', () => {
    spec
      .given(oprettet())
      .when(run(observation(), accepteret(), ctx({ regler: { delmaalScore: 'paakraevet' } })))
      .thenRejects('R-28', 'score');
    spec
      .given(oprettet())
      .when(run(observation({ score: 5 })))
      .thenRejects('FELT.UGYLDIG_VAERDI', 'score');
    spec
      .given(oprettet())
      .when(run(observation({ score: 3 }), accepteret(), ctx({ regler: { delmaalScore: 'paakraevet' } })))
      .thenEvents();
  });

  it('an evaluering records the udvikling and its konklusion flies into the status draft', () => {
    const events = [...oprettet(), ...spec.given(oprettet()).when(run(evaluering())).thenEvents()];
    const state = events.reduce(evolve, initialState()) as DelmaalFindes;
    expect(state.evalueringer).toEqual([
      {
        evalueringId: IDS.evaluering,
        dato: '2026-03-01',
        udvikling: 'fremgang',
        konklusion: 'Delmålet er på vej til at blive nået.',
      },
    ]);
    const best = accepteret();
    if (best.fase === 'ingen') throw new Error('unreachable');
    expect(forslagTilStatus(best, [state])).toEqual([
      {
        indsatsmaalId: IDS.maal1,
        statustekst: 'Delmål 1.1: deltage i fællesspisning en gang om ugen: Delmålet er på vej til at blive nået.',
      },
      { indsatsmaalId: IDS.maal2, statustekst: '' },
    ]);
  });

  it('an evaluering needs a known udvikling and a date not in the future', () => {
    spec
      .given(oprettet())
      .when(run(evaluering({ udvikling: 'bedre' as never })))
      .thenRejects('FELT.UGYLDIG_VAERDI', 'udvikling');
    spec
      .given(oprettet())
      .when(run(evaluering({ dato: '2026-03-02' })))
      .thenRejects('FELT.UGYLDIG_DATO', 'dato');
  });

  it('an afsluttet delmål takes no more documentation', () => {
    const afsluttet = [
      ...oprettet(),
      ...decide(
        { type: 'AfslutDelmaal', data: { delmaalId: IDS.delmaal1, maalopfyldelse: 'opnaaet', konklusion: 'Nået.' } },
        oprettet().reduce(evolve, initialState()),
        ctx(),
        accepteret(),
      ),
    ];
    spec.given(afsluttet).when(run(observation())).thenRejects('DELMAAL.AFSLUTTET');
    spec.given([]).when(run(observation())).thenRejects('DELMAAL.FINDES_IKKE');
  });

  it('a delmål can be afsluttet after the indsats is afsluttet; nothing else can be documented on it', () => {
    const afsluttet = bestillingEfter(
      afgivBestilling(),
      { type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } },
      { type: 'AccepterBestilling', data: { bestillingId: b } },
      { type: 'AfslutIndsats', data: { bestillingId: b, slutdato: '2026-03-01', begrundelse: 'x' } },
    );
    const [event] = spec
      .given(oprettet())
      .when(
        run(
          {
            type: 'AfslutDelmaal',
            data: { delmaalId: IDS.delmaal1, maalopfyldelse: 'delvist_opnaaet', konklusion: 'Indsatsen sluttede.' },
          },
          afsluttet,
        ),
      )
      .thenEvents();
    expect(event?.type).toBe('DelmaalAfsluttet');
    spec.given(oprettet()).when(run(evaluering(), afsluttet)).thenRejects('BESTILLING.AFSLUTTET');
  });

  it('a fixture code that matches no FFB code fails loudly instead of testing nothing', () => {
    expect(() => kode('ffffffff')).toThrow(/matches 0/);
    expect(indsatsmaalInput().undertema).toMatch(/^3f9da5ac-/);
  });
});
