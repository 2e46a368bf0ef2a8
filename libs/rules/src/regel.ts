import type {
  Alvor,
  Bortfaldsaarsag,
  FfbKatalog,
  KravNiveau,
  KravTrigger,
  Modtager,
  PaamindelseArt,
  PaamindelseEmne,
  PligtCommand,
  Taerskler,
} from '@hub/domain';
import { uuidV5 } from '@hub/event-store';
import type { RegelDoc, RegelEvent } from './regel-tilstand';

/** Namespace of every id the rules derive (krav, påmindelser, deadlines, the events they append). */
export const REGEL_ID_NAMESPACE = '3b0c6f4e-2a71-4d5e-9f08-6c1d2b7a9e40';

/**
 * A deterministic id: the same rule, subject and cause (the id of the event the rule decided on) always give the same
 * krav, reminder, deadline and event, whatever the thresholds were, so a replay records nothing twice.
 */
export const regelId = (...parts: readonly (string | number)[]): string => uuidV5(parts.join('\n'), REGEL_ID_NAMESPACE);

/** What a rule sees: one event, the bestilling's rule state before and after it, and the kommune's thresholds. */
export interface RegelInput {
  readonly event: RegelEvent;
  readonly eventId: string;
  readonly foer: RegelDoc | null;
  readonly efter: RegelDoc;
  readonly taerskler: Taerskler;
  readonly katalog: FfbKatalog;
}

/**
 * What a rule returns. `kommando`: send now. `frist`: a durable deadline, fired once at `forfald` unless cancelled
 * first; the rule, the subject and the causing event identify it. `annuller`: what the rule's deadlines on `subjekt`
 * waited for happened: pending ones are cancelled, and reminders they already sent are afsluttet.
 */
export type Udfald =
  | { readonly type: 'kommando'; readonly kommando: PligtCommand }
  | { readonly type: 'frist'; readonly subjekt: string; readonly forfald: string; readonly kommando: PligtCommand }
  | { readonly type: 'annuller'; readonly subjekt: string };

/** A rule: versioned, described, pure. Bump `version` when what it decides changes; both are on every firing. */
export interface Regel {
  readonly id: string;
  readonly version: number;
  /** Danish, for people: what it watches and what it does. */
  readonly titel: string;
  readonly reagererPaa: readonly RegelEvent['type'][];
  evaluer(input: RegelInput, byg: Bygger): readonly Udfald[];
}

export const DAG_MS = 24 * 60 * 60 * 1000;

/** The instant `dage` days after an instant or a date (a date counts from its start, UTC). */
export function plusDage(tidspunktEllerDato: string, dage: number): string {
  const start = tidspunktEllerDato.length === 10 ? `${tidspunktEllerDato}T00:00:00.000Z` : tidspunktEllerDato;
  return new Date(Date.parse(start) + dage * DAG_MS).toISOString();
}

/** Builds a rule's outputs with its id, version and cause on them, and ids derived from the rule and subject. */
export class Bygger {
  constructor(
    private readonly regel: Regel,
    private readonly input: RegelInput,
  ) {}

  private get begrundet() {
    return { regel: { id: this.regel.id, version: this.regel.version }, aarsager: [this.input.eventId] };
  }

  private get parter() {
    const { bestillingId, kommunekode, tilbudId } = this.input.efter;
    return { bestillingId, kommunekode, tilbudId };
  }

  private id(kind: string, subjekt: string): string {
    return regelId(kind, this.regel.id, subjekt, this.input.eventId);
  }

  /** A krav now, identified by the rule, the subject and the event that caused it. */
  krav(k: KravSpec): Udfald {
    return { type: 'kommando', kommando: this.kravKommando(k, this.id('krav', k.subjekt)) };
  }

  /** A krav when a deadline falls due, unless cancelled first. */
  kravVedFrist(k: KravSpec & { readonly forfald: string }): Udfald {
    const kommando = this.kravKommando({ ...k, fra: k.forfald.slice(0, 10) }, this.id('krav', k.subjekt));
    return { type: 'frist', subjekt: k.subjekt, forfald: k.forfald, kommando };
  }

  /** A krav lapses now (nothing can meet it any more), or when a deadline falls due. */
  bortfald(kravId: string, aarsag: Bortfaldsaarsag, frist?: { subjekt: string; forfald: string }): Udfald {
    const kommando: PligtCommand = {
      type: 'LadKravBortfalde',
      data: { bestillingId: this.input.efter.bestillingId, ...this.begrundet, kravId, aarsag },
    };
    return frist ? { type: 'frist', ...frist, kommando } : { type: 'kommando', kommando };
  }

  /** A reminder when a deadline falls due, unless cancelled first. */
  paamindelse(p: {
    readonly subjekt: string;
    readonly forfald: string;
    readonly art: PaamindelseArt;
    readonly modtager: Modtager;
    readonly alvor: Alvor;
    readonly emne: PaamindelseEmne;
    readonly tekst: string;
  }): Udfald {
    return {
      type: 'frist',
      subjekt: p.subjekt,
      forfald: p.forfald,
      kommando: {
        type: 'SendPaamindelse',
        data: {
          ...this.parter,
          ...this.begrundet,
          paamindelseId: this.id('paamindelse', p.subjekt),
          art: p.art,
          modtager: p.modtager,
          alvor: p.alvor,
          emne: p.emne,
          tekst: p.tekst,
          forfald: p.forfald,
        },
      },
    };
  }

  kravOpfyldt(kravId: string, tilbagemeldingId: string): Udfald {
    return {
      type: 'kommando',
      kommando: {
        type: 'RegistrerKravOpfyldt',
        data: { bestillingId: this.input.efter.bestillingId, ...this.begrundet, kravId, tilbagemeldingId },
      },
    };
  }

  annuller(subjekt: string): Udfald {
    return { type: 'annuller', subjekt };
  }

  private kravKommando(k: KravSpec, kravId: string): PligtCommand {
    return {
      type: 'KraevTilbagemelding',
      data: {
        ...this.parter,
        ...this.begrundet,
        kravId,
        borgerId: this.input.efter.borgerId,
        trigger: k.trigger,
        niveau: k.niveau,
        indsatsmaalId: k.indsatsmaalId ?? null,
        delmaalId: k.delmaalId ?? null,
        begrundelse: k.begrundelse,
        frist: plusDage(k.fra, this.input.taerskler.kravFristDage).slice(0, 10),
      },
    };
  }
}

export interface KravSpec {
  readonly subjekt: string;
  readonly trigger: KravTrigger;
  readonly niveau: KravNiveau;
  readonly indsatsmaalId?: string | null;
  readonly delmaalId?: string | null;
  readonly begrundelse: string;
  /** The date the frist counts from. */
  readonly fra: string;
}
