import { kraevAccepteret } from '../bestilling/bestilling.decider';
import type { BestillingState } from '../bestilling/bestilling.state';
import type { DecisionContext } from '../shared/decider';
import { Fejlkode, notFound, stateError } from '../shared/errors';
import { Validering } from '../shared/validering';
import {
  MAALOPFYLDELSE,
  UDVIKLING,
  type AfslutDelmaal,
  type DelmaalCommand,
  type DelmaalEvent,
  type EvaluerDelmaal,
  type OpretDelmaal,
  type RegistrerDelmaalsobservation,
} from './delmaal.events';

export interface Evaluering {
  readonly evalueringId: string;
  readonly dato: string;
  readonly udvikling: (typeof UDVIKLING)[number];
  readonly konklusion: string;
}

export interface DelmaalFindes {
  readonly fase: 'aktiv' | 'afsluttet';
  readonly delmaalId: string;
  readonly bestillingId: string;
  readonly indsatsmaalId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly navn: string;
  readonly evalueringsdato: string | null;
  readonly slutdato: string;
  readonly observationer: readonly string[];
  readonly evalueringer: readonly Evaluering[];
  /** Konklusion of the latest evaluering, or of the afslutning: what "flies" into the status (reference.md §4.4). */
  readonly konklusion: string | null;
}

export type DelmaalState = { readonly fase: 'ingen' } | DelmaalFindes;

export const initialState = (): DelmaalState => ({ fase: 'ingen' });

export const toDelmaalStreamId = (delmaalId: string): string => `delmaal-${delmaalId}`;

export function evolve(state: DelmaalState, event: DelmaalEvent): DelmaalState {
  if (event.type === 'DelmaalOprettet') {
    const d = event.data;
    return {
      fase: 'aktiv',
      delmaalId: d.delmaalId,
      bestillingId: d.bestillingId,
      indsatsmaalId: d.indsatsmaalId,
      kommunekode: d.kommunekode,
      tilbudId: d.tilbudId,
      navn: d.navn,
      evalueringsdato: d.evalueringsdato,
      slutdato: d.slutdato,
      observationer: [],
      evalueringer: [],
      konklusion: null,
    };
  }
  if (state.fase === 'ingen') return state;
  switch (event.type) {
    case 'DelmaalsobservationRegistreret':
      return { ...state, observationer: [...state.observationer, event.data.observationId] };
    case 'DelmaalEvalueret': {
      const { evalueringId, dato, udvikling, konklusion } = event.data;
      return {
        ...state,
        evalueringer: [...state.evalueringer, { evalueringId, dato, udvikling, konklusion }],
        konklusion,
      };
    }
    case 'DelmaalAfsluttet':
      return { ...state, fase: 'afsluttet', konklusion: event.data.konklusion };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/**
 * Pure. A delmål lives in its own stream; the bestilling it belongs to is read by the caller and passed in, so the
 * rules "nothing is documented on a bestilling that is not accepted" and "a delmål belongs to an active indsatsmål"
 * are checked against it. docs/adr/0004 explains this boundary.
 */
export function decide(
  command: DelmaalCommand,
  state: DelmaalState,
  ctx: DecisionContext,
  bestilling: BestillingState,
): DelmaalEvent[] {
  if (command.type === 'OpretDelmaal') return opret(command, state, ctx, bestilling);
  if (state.fase === 'ingen')
    throw notFound(Fejlkode.delmaalFindesIkke, `delmål ${command.data.delmaalId} does not exist`, 'delmaalId');
  if (state.fase === 'afsluttet') throw stateError(Fejlkode.delmaalAfsluttet, 'the delmål is afsluttet');
  if (bestilling.fase === 'ingen')
    throw notFound(Fejlkode.bestillingFindesIkke, `bestilling ${state.bestillingId} does not exist`);
  // Closing a delmål ties a loose end and stays possible after the indsats is afsluttet; documenting does not.
  if (command.type === 'AfslutDelmaal' && bestilling.fase === 'afsluttet') return afslut(command, state, ctx);
  kraevAccepteret(bestilling);
  if (command.type === 'AfslutDelmaal') return afslut(command, state, ctx);
  const indsatsmaal = bestilling.indsatsmaal.find((m) => m.indsatsmaalId === state.indsatsmaalId);
  if (!indsatsmaal?.aktiv) {
    throw stateError(
      'R-20',
      'the indsatsmål of this delmål has ended; afslut the delmål or attach a new one to an active indsatsmål',
    );
  }
  switch (command.type) {
    case 'RegistrerDelmaalsobservation':
      return observation(command, state, ctx);
    case 'EvaluerDelmaal':
      return evaluer(command, state, ctx);
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}

function opret(
  command: OpretDelmaal,
  state: DelmaalState,
  ctx: DecisionContext,
  bestilling: BestillingState,
): DelmaalEvent[] {
  const d = command.data;
  if (state.fase !== 'ingen') throw stateError(Fejlkode.delmaalFindesAllerede, `delmål ${d.delmaalId} exists already`);
  if (bestilling.fase === 'ingen')
    throw notFound(Fejlkode.bestillingFindesIkke, `bestilling ${d.bestillingId} does not exist`, 'bestillingId');
  kraevAccepteret(bestilling);
  const v = new Validering(ctx.katalog);
  const delmaalId = v.uuid('delmaalId', d.delmaalId);
  const indsatsmaal = bestilling.indsatsmaal.find((m) => m.indsatsmaalId === d.indsatsmaalId);
  if (!indsatsmaal?.aktiv) {
    v.add(
      'R-20',
      'indsatsmaalId',
      indsatsmaal ? 'the indsatsmål has ended' : 'no indsatsmål of the bestilling has this id',
      'the id of an active indsatsmål of the bestilling',
    );
  }
  const navn = v.tekst('navn', d.navn);
  const plan = d.delmaalsplan ?? ({} as Partial<typeof d.delmaalsplan>);
  const formaal = v.tekst('delmaalsplan.formaal', plan.formaal);
  for (const key of [
    'borgerensMotivation',
    'ressourcerOgUdfordringer',
    'borgerensIndsats',
    'medarbejdernesIndsatsOgMetode',
  ] as const) {
    if (typeof plan[key] !== 'string') v.add(Fejlkode.ugyldigVaerdi, `delmaalsplan.${key}`, 'must be a text', 'string');
  }
  const startdato = v.dato('startdato', d.startdato);
  // R-23 [INFERENCE]: an active delmål is "tidsbestemt": it has a slutdato.
  const slutdato =
    d.slutdato === undefined || d.slutdato === null
      ? (v.add('R-23', 'slutdato', 'an active delmål needs a slutdato (SMART: tidsbestemt)', 'a date'), undefined)
      : v.dato('slutdato', d.slutdato);
  const evalueringsdato =
    d.evalueringsdato === undefined || d.evalueringsdato === null ? null : v.dato('evalueringsdato', d.evalueringsdato);
  if (startdato && slutdato && slutdato < startdato)
    v.add(Fejlkode.datoRaekkefoelge, 'slutdato', 'slutdato is before startdato', `on or after ${startdato}`);
  if (startdato && evalueringsdato && slutdato && (evalueringsdato < startdato || evalueringsdato > slutdato)) {
    v.add(
      Fejlkode.datoRaekkefoelge,
      'evalueringsdato',
      'evalueringsdato lies outside the delmål period',
      `between ${startdato} and ${slutdato}`,
    );
  }
  const ansvarlig = v.tekst('ansvarlig', d.ansvarlig);
  v.throwIfAny();
  return [
    {
      type: 'DelmaalOprettet',
      data: {
        delmaalId: delmaalId as string,
        bestillingId: bestilling.bestillingId,
        indsatsmaalId: d.indsatsmaalId,
        borgerId: bestilling.borgerId,
        kommunekode: bestilling.kommunekode,
        tilbudId: bestilling.tilbudId,
        navn: navn as string,
        delmaalsplan: {
          formaal: formaal as string,
          borgerensMotivation: plan.borgerensMotivation as string,
          ressourcerOgUdfordringer: plan.ressourcerOgUdfordringer as string,
          borgerensIndsats: plan.borgerensIndsats as string,
          medarbejdernesIndsatsOgMetode: plan.medarbejdernesIndsatsOgMetode as string,
        },
        startdato: startdato as string,
        evalueringsdato: evalueringsdato ?? null,
        slutdato: slutdato as string,
        ansvarlig: ansvarlig as string,
        oprettet: ctx.now,
      },
    },
  ];
}

function observation(
  command: RegistrerDelmaalsobservation,
  state: DelmaalFindes,
  ctx: DecisionContext,
): DelmaalEvent[] {
  const d = command.data;
  const v = new Validering(ctx.katalog);
  const observationId = v.nyId('observationId', d.observationId, new Set(state.observationer));
  const tekst = v.tekst('observation', d.observation);
  const refleksion = d.refleksion ?? null;
  if (refleksion !== null && typeof refleksion !== 'string')
    v.add(Fejlkode.ugyldigVaerdi, 'refleksion', 'must be a text', 'string');
  const score = d.score ?? null;
  if (score === null && ctx.regler.delmaalScore === 'paakraevet') {
    v.add('R-28', 'score', 'this tilbud scores every delmålsobservation', 'an integer 0–4');
  } else if (score !== null && !(Number.isInteger(score) && score >= 0 && score <= 4)) {
    v.add(Fejlkode.ugyldigVaerdi, 'score', 'the støttebehov score is 0–4', 'an integer 0–4');
  }
  const observeret = v.fortidigtTidspunkt('observeret', d.observeret, ctx.now);
  v.throwIfAny();
  return [
    {
      type: 'DelmaalsobservationRegistreret',
      data: {
        delmaalId: state.delmaalId,
        bestillingId: state.bestillingId,
        observationId: observationId as string,
        observation: tekst as string,
        refleksion,
        score,
        observeret: observeret as string,
        registreret: ctx.now,
      },
    },
  ];
}

function evaluer(command: EvaluerDelmaal, state: DelmaalFindes, ctx: DecisionContext): DelmaalEvent[] {
  const d = command.data;
  const v = new Validering(ctx.katalog);
  const evalueringId = v.nyId('evalueringId', d.evalueringId, new Set(state.evalueringer.map((e) => e.evalueringId)));
  const dato = v.dato('dato', d.dato);
  if (dato && dato > ctx.now.slice(0, 10)) v.add(Fejlkode.ugyldigDato, 'dato', 'the evaluering lies in the future');
  const texts = {
    hvordanGaarDet: v.tekst('hvordanGaarDet', d.hvordanGaarDet),
    virkningForBorgeren: v.tekst('virkningForBorgeren', d.virkningForBorgeren),
    borgerensOplevelse: v.tekst('borgerensOplevelse', d.borgerensOplevelse),
    refleksionerOverMetoder: v.tekst('refleksionerOverMetoder', d.refleksionerOverMetoder),
    konklusion: v.tekst('konklusion', d.konklusion),
  };
  if (typeof d.giverAnledningTilAendringer !== 'boolean')
    v.add(Fejlkode.ugyldigVaerdi, 'giverAnledningTilAendringer', 'must be true or false', 'boolean');
  if (!(UDVIKLING as readonly unknown[]).includes(d.udvikling))
    v.add(Fejlkode.ugyldigVaerdi, 'udvikling', 'unknown udvikling', UDVIKLING.join(', '));
  v.throwIfAny();
  return [
    {
      type: 'DelmaalEvalueret',
      data: {
        delmaalId: state.delmaalId,
        bestillingId: state.bestillingId,
        evalueringId: evalueringId as string,
        dato: dato as string,
        hvordanGaarDet: texts.hvordanGaarDet as string,
        virkningForBorgeren: texts.virkningForBorgeren as string,
        borgerensOplevelse: texts.borgerensOplevelse as string,
        refleksionerOverMetoder: texts.refleksionerOverMetoder as string,
        giverAnledningTilAendringer: d.giverAnledningTilAendringer,
        udvikling: d.udvikling,
        konklusion: texts.konklusion as string,
        evalueret: ctx.now,
      },
    },
  ];
}

function afslut(command: AfslutDelmaal, state: DelmaalFindes, ctx: DecisionContext): DelmaalEvent[] {
  const d = command.data;
  const v = new Validering(ctx.katalog);
  if (!(MAALOPFYLDELSE as readonly unknown[]).includes(d.maalopfyldelse)) {
    v.add(Fejlkode.ugyldigVaerdi, 'maalopfyldelse', 'unknown målopfyldelse', MAALOPFYLDELSE.join(', '));
  }
  const konklusion = v.tekst('konklusion', d.konklusion);
  v.throwIfAny();
  return [
    {
      type: 'DelmaalAfsluttet',
      data: {
        delmaalId: state.delmaalId,
        bestillingId: state.bestillingId,
        afsluttet: ctx.now,
        maalopfyldelse: d.maalopfyldelse,
        konklusion: konklusion as string,
      },
    },
  ];
}
