import { erDato } from '../shared/dates';
import { DomainError, Fejlkode, notFound, Violations } from '../shared/errors';
import { erTidspunkt, erUuid } from '../shared/validering';
import {
  ALVORSGRADER,
  BORTFALDSAARSAGER,
  KRAV_NIVEAUER,
  KRAV_TRIGGERE,
  MODTAGERE,
  PAAMINDELSE_ARTER,
  type Begrundet,
  type KravNiveau,
  type KravTrigger,
  type PligtCommand,
  type PligtEvent,
  type Modtager,
  type PligtParter,
} from './pligt.events';

export const toPligtStreamId = (bestillingId: string): string => `tilbagemeldingspligt-${bestillingId}`;

export interface KravTilstand {
  readonly kravId: string;
  readonly trigger: KravTrigger;
  readonly niveau: KravNiveau;
  readonly indsatsmaalId: string | null;
  readonly delmaalId: string | null;
  readonly frist: string;
  /** The tilbagemelding that met it; null while open. */
  readonly opfyldtAf: string | null;
  /** It lapsed unmet (the indsats or indsatsmål ended, or a recommendation ran out). */
  readonly bortfaldet: boolean;
}

/** Open: neither met nor lapsed. */
export const erAabent = (k: KravTilstand): boolean => k.opfyldtAf === null && !k.bortfaldet;

export interface PligtState {
  readonly parter: PligtParter | null;
  readonly krav: Readonly<Record<string, KravTilstand>>;
  /** Reminders sent, by id, with their recipient and whether they are afsluttet. */
  readonly paamindelser: Readonly<Record<string, { readonly modtager: Modtager; readonly afsluttet: boolean }>>;
}

export const initialState = (): PligtState => ({ parter: null, krav: {}, paamindelser: {} });

const parterAf = (d: PligtParter): PligtParter => ({
  bestillingId: d.bestillingId,
  kommunekode: d.kommunekode,
  tilbudId: d.tilbudId,
});

export function evolve(state: PligtState, event: PligtEvent): PligtState {
  const parter = state.parter ?? parterAf(event.data);
  switch (event.type) {
    case 'TilbagemeldingKraevet': {
      const d = event.data;
      return {
        ...state,
        parter,
        krav: {
          ...state.krav,
          [d.kravId]: {
            kravId: d.kravId,
            trigger: d.trigger,
            niveau: d.niveau,
            indsatsmaalId: d.indsatsmaalId,
            delmaalId: d.delmaalId,
            frist: d.frist,
            opfyldtAf: null,
            bortfaldet: false,
          },
        },
      };
    }
    case 'TilbagemeldingskravOpfyldt': {
      const krav = state.krav[event.data.kravId];
      if (!krav) return { ...state, parter };
      return {
        ...state,
        parter,
        krav: { ...state.krav, [krav.kravId]: { ...krav, opfyldtAf: event.data.tilbagemeldingId } },
      };
    }
    case 'TilbagemeldingskravBortfaldet': {
      const krav = state.krav[event.data.kravId];
      if (!krav) return { ...state, parter };
      return { ...state, parter, krav: { ...state.krav, [krav.kravId]: { ...krav, bortfaldet: true } } };
    }
    case 'PaamindelseSendt':
      return {
        ...state,
        parter,
        paamindelser: {
          ...state.paamindelser,
          [event.data.paamindelseId]: { modtager: event.data.modtager, afsluttet: false },
        },
      };
    case 'PaamindelseAfsluttet':
      return {
        ...state,
        parter,
        paamindelser: {
          ...state.paamindelser,
          [event.data.paamindelseId]: { modtager: event.data.modtager, afsluttet: true },
        },
      };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** An open krav of the same trigger on the same indsatsmål and delmål: the duty stands already, no second one. */
export function aabentKravSomDette(
  state: PligtState,
  krav: { trigger: KravTrigger; indsatsmaalId: string | null; delmaalId: string | null },
): KravTilstand | undefined {
  return Object.values(state.krav).find(
    (k) =>
      erAabent(k) &&
      k.trigger === krav.trigger &&
      k.indsatsmaalId === krav.indsatsmaalId &&
      k.delmaalId === krav.delmaalId,
  );
}

function validerFaelles(v: Violations, d: PligtParter & Begrundet, state: PligtState): void {
  if (!erUuid(d.bestillingId)) v.add(Fejlkode.ugyldigVaerdi, 'bestillingId', 'must be a lower-case UUID');
  if (typeof d.kommunekode !== 'string' || !/^\d{4}$/.test(d.kommunekode))
    v.add(Fejlkode.ugyldigVaerdi, 'kommunekode', 'must be 4 digits');
  if (typeof d.tilbudId !== 'string' || d.tilbudId === '') v.add(Fejlkode.paakraevet, 'tilbudId', 'missing');
  if (typeof d.regel?.id !== 'string' || !Number.isInteger(d.regel?.version) || d.regel.version < 1)
    v.add(Fejlkode.ugyldigVaerdi, 'regel', 'a rule id and a version >= 1');
  if (!Array.isArray(d.aarsager) || d.aarsager.length === 0 || !d.aarsager.every(erUuid))
    v.add(Fejlkode.ugyldigVaerdi, 'aarsager', 'the ids of the events that caused it (at least one)');
  const p = state.parter;
  if (p && (p.bestillingId !== d.bestillingId || p.kommunekode !== d.kommunekode || p.tilbudId !== d.tilbudId))
    v.add(Fejlkode.ugyldigVaerdi, 'bestillingId', "the parties differ from this stream's");
}

const en = <T extends string>(v: Violations, field: string, value: unknown, values: readonly T[]): void => {
  if (!(values as readonly unknown[]).includes(value))
    v.add(Fejlkode.ugyldigVaerdi, field, `unknown ${field} ${JSON.stringify(value)}`, values.join(', '));
};

/**
 * Pure. The rules send these commands again after a crash or a replay: a command that was carried out already (its id
 * is known, the krav is met, the reminder is afsluttet) decides nothing, so nothing is recorded twice.
 */
export function decide(command: PligtCommand, state: PligtState, ctx: { readonly now: string }): PligtEvent[] {
  const v = new Violations();
  switch (command.type) {
    case 'KraevTilbagemelding': {
      const d = command.data;
      validerFaelles(v, d, state);
      if (!erUuid(d.kravId)) v.add(Fejlkode.ugyldigVaerdi, 'kravId', 'must be a lower-case UUID');
      if (!erUuid(d.borgerId)) v.add(Fejlkode.ugyldigVaerdi, 'borgerId', 'must be a lower-case UUID');
      en(v, 'trigger', d.trigger, KRAV_TRIGGERE);
      en(v, 'niveau', d.niveau, KRAV_NIVEAUER);
      if (!erDato(d.frist)) v.add(Fejlkode.ugyldigDato, 'frist', 'must be a date', 'YYYY-MM-DD');
      if (typeof d.begrundelse !== 'string' || d.begrundelse.trim() === '')
        v.add(Fejlkode.paakraevet, 'begrundelse', 'missing');
      v.throwIfAny();
      if (state.krav[d.kravId] || aabentKravSomDette(state, d)) return [];
      return [{ type: 'TilbagemeldingKraevet', data: { ...d, kraevet: ctx.now } }];
    }
    case 'RegistrerKravOpfyldt': {
      const d = command.data;
      const krav = state.krav[d.kravId];
      if (!krav || !state.parter)
        throw notFound(Fejlkode.kravFindesIkke, 'no krav of this bestilling has this id', 'kravId');
      if (!erUuid(d.tilbagemeldingId)) v.add(Fejlkode.ugyldigVaerdi, 'tilbagemeldingId', 'must be a lower-case UUID');
      validerFaelles(v, { ...d, ...state.parter, bestillingId: d.bestillingId }, state);
      v.throwIfAny();
      if (!erAabent(krav)) return [];
      return [{ type: 'TilbagemeldingskravOpfyldt', data: { ...d, ...state.parter, opfyldt: ctx.now } }];
    }
    case 'LadKravBortfalde': {
      const d = command.data;
      const krav = state.krav[d.kravId];
      if (!krav || !state.parter)
        throw notFound(Fejlkode.kravFindesIkke, 'no krav of this bestilling has this id', 'kravId');
      en(v, 'aarsag', d.aarsag, BORTFALDSAARSAGER);
      validerFaelles(v, { ...d, ...state.parter, bestillingId: d.bestillingId }, state);
      v.throwIfAny();
      if (!erAabent(krav)) return [];
      return [{ type: 'TilbagemeldingskravBortfaldet', data: { ...d, ...state.parter, bortfaldet: ctx.now } }];
    }
    case 'SendPaamindelse': {
      const d = command.data;
      validerFaelles(v, d, state);
      if (!erUuid(d.paamindelseId)) v.add(Fejlkode.ugyldigVaerdi, 'paamindelseId', 'must be a lower-case UUID');
      en(v, 'art', d.art, PAAMINDELSE_ARTER);
      en(v, 'modtager', d.modtager, MODTAGERE);
      en(v, 'alvor', d.alvor, ALVORSGRADER);
      if (!erTidspunkt(d.forfald)) v.add(Fejlkode.ugyldigVaerdi, 'forfald', 'must be an ISO-8601 instant');
      if (typeof d.tekst !== 'string' || d.tekst.trim() === '') v.add(Fejlkode.paakraevet, 'tekst', 'missing');
      v.throwIfAny();
      if (d.paamindelseId in state.paamindelser) return [];
      return [{ type: 'PaamindelseSendt', data: { ...d, sendt: ctx.now } }];
    }
    case 'AfslutPaamindelse': {
      const d = command.data;
      const sendt = state.paamindelser[d.paamindelseId];
      if (!sendt || !state.parter)
        throw notFound(Fejlkode.paamindelseFindesIkke, 'no påmindelse of this bestilling has this id', 'paamindelseId');
      validerFaelles(v, { ...d, ...state.parter, bestillingId: d.bestillingId }, state);
      v.throwIfAny();
      if (sendt.afsluttet) return [];
      return [
        {
          type: 'PaamindelseAfsluttet',
          data: { ...d, ...state.parter, modtager: sendt.modtager, afsluttet: ctx.now },
        },
      ];
    }
    default: {
      const exhaustive: never = command;
      throw new DomainError('invalid', [
        { code: Fejlkode.ugyldigVaerdi, message: `unknown command ${(exhaustive as { type: string }).type}` },
      ]);
    }
  }
}
