import type { Begrundet, PaamindelseEmne, PligtEvent, PligtParter } from '@hub/domain';
import type { PartyRef } from '../topics';
import type { BestillingParter, IntegrationMessage, MappingContext } from './integration-event';

/**
 * Public integration events of the tilbagemeldingspligt stream, version 1 (docs/adr/0006). The hub's reactive rules
 * write these events; each message says which rule (id and version) recorded it and which stored events caused it
 * (`aarsager`, event ids: the ce_id of the message each gave, when it gave one), because that is what lets a party
 * see why. Every field is copied by name, never by spreading an internal object.
 */

/** The rule, and the version of it, that recorded what the message reports. */
export interface ApiRegelV1 {
  readonly id: string;
  readonly version: number;
}

interface ApiPligtFaelles {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly regel: ApiRegelV1;
  /** The stored events (ids) that made the rule fire; some are internal and were never published. */
  readonly aarsager: readonly string[];
}

/** To both parties: the hub requires (påkrævet) or recommends (anbefalet) a tilbagemelding from the udfører. */
export interface ApiTilbagemeldingKraevetV1 extends ApiPligtFaelles {
  readonly kravId: string;
  readonly trigger: 'T1' | 'T2' | 'T3';
  readonly niveau: 'paakraevet' | 'anbefalet';
  readonly indsatsmaalId: string | null;
  readonly delmaalId: string | null;
  readonly begrundelse: string;
  readonly frist: string;
  readonly kraevet: string;
}

/** To both parties: a tilbagemelding that referenced the krav was sent; the duty is met. */
export interface ApiTilbagemeldingskravOpfyldtV1 extends ApiPligtFaelles {
  readonly kravId: string;
  readonly tilbagemeldingId: string;
  readonly opfyldt: string;
}

/**
 * To both parties: the krav lapsed unmet (the indsats or its indsatsmål ended, or a recommendation's frist passed). It
 * leaves the udfører's worklist; nothing can meet it any more.
 */
export interface ApiTilbagemeldingskravBortfaldetV1 extends ApiPligtFaelles {
  readonly kravId: string;
  readonly aarsag: 'indsats_afsluttet' | 'indsatsmaal_afsluttet' | 'anbefaling_udloebet';
  readonly bortfaldet: string;
}

/** What a påmindelse points at: every field is present, null when the art does not use it. */
export interface ApiPaamindelseEmneV1 {
  readonly version: number | null;
  readonly indsatsmaalId: string | null;
  readonly delmaalId: string | null;
  readonly tilbagemeldingId: string | null;
  readonly kravId: string | null;
  readonly dato: string | null;
}

/** To its modtager only: a reminder, an overdue notice or an escalation. */
export interface ApiPaamindelseSendtV1 extends ApiPligtFaelles {
  readonly paamindelseId: string;
  readonly art: string;
  readonly modtager: 'udfoerer' | 'myndighed';
  readonly alvor: 'paamindelse' | 'overskredet' | 'eskalering';
  readonly emne: ApiPaamindelseEmneV1;
  readonly tekst: string;
  readonly forfald: string;
  readonly sendt: string;
}

/** To the påmindelse's modtager only: what it waited for happened; it leaves the open items. */
export interface ApiPaamindelseAfsluttetV1 extends ApiPligtFaelles {
  readonly paamindelseId: string;
  readonly modtager: 'udfoerer' | 'myndighed';
  readonly afsluttet: string;
}

const emne = (e: PaamindelseEmne): ApiPaamindelseEmneV1 => ({
  version: e.version ?? null,
  indsatsmaalId: e.indsatsmaalId ?? null,
  delmaalId: e.delmaalId ?? null,
  tilbagemeldingId: e.tilbagemeldingId ?? null,
  kravId: e.kravId ?? null,
  dato: e.dato ?? null,
});

/**
 * The parties come from the bestilling's first event (the store's truth), not from the rule that wrote this event. A
 * tilbagemeldingspligt event that names other parties contradicts the log: routing it by either could hand one
 * kommune's or tilbud's data to another, so it throws and the relay stops there (docs/adr/0006).
 */
async function parterAf(data: PligtParter, borgerId: string | undefined, ctx: MappingContext) {
  const parter = await ctx.parter(data.bestillingId);
  if (
    parter.kommunekode !== data.kommunekode ||
    parter.tilbudId !== data.tilbudId ||
    (borgerId !== undefined && parter.borgerId !== borgerId)
  ) {
    throw new Error(`a tilbagemeldingspligt event of bestilling ${data.bestillingId} names other parties than it`);
  }
  return parter;
}

const faelles = (parter: BestillingParter, d: Begrundet): ApiPligtFaelles => ({
  bestillingId: parter.bestillingId,
  borgerId: parter.borgerId,
  kommunekode: parter.kommunekode,
  tilbudId: parter.tilbudId,
  regel: { id: d.regel.id, version: d.regel.version },
  aarsager: [...d.aarsager],
});

/**
 * The public messages one tilbagemeldingspligt event gives. A krav, its opfyldelse and its bortfald go to both
 * parties: the udfører must deliver, and the sagsbehandler should see that a duty exists and when it was met or
 * lapsed. A påmindelse, and its
 * afslutning, go only to its modtager: it is that party's work item, and an escalation to the myndighed is not the
 * udfører's business.
 */
export async function mapPligtEvent(event: PligtEvent, ctx: MappingContext): Promise<readonly IntegrationMessage[]> {
  const borgerId = event.type === 'TilbagemeldingKraevet' ? event.data.borgerId : undefined;
  const parter = await parterAf(event.data, borgerId, ctx);
  const udfoerer: PartyRef = { party: 'udfoerer', id: parter.tilbudId };
  const myndighed: PartyRef = { party: 'myndighed', id: parter.kommunekode };
  const to = <Data>(type: string, recipients: readonly PartyRef[], data: Data): IntegrationMessage<Data>[] =>
    recipients.map((recipient) => ({
      type,
      recipient,
      subject: parter.bestillingId,
      sensitivity: 'fortrolig',
      data,
    }));
  const modtager = (party: string): PartyRef => {
    if (party === 'udfoerer') return udfoerer;
    if (party === 'myndighed') return myndighed;
    throw new Error(`a påmindelse of bestilling ${parter.bestillingId} has no known modtager`);
  };

  switch (event.type) {
    case 'TilbagemeldingKraevet': {
      const d = event.data;
      return to<ApiTilbagemeldingKraevetV1>('dk.ffb.tilbagemeldingspligt.kraevet.v1', [udfoerer, myndighed], {
        ...faelles(parter, d),
        kravId: d.kravId,
        trigger: d.trigger,
        niveau: d.niveau,
        indsatsmaalId: d.indsatsmaalId,
        delmaalId: d.delmaalId,
        begrundelse: d.begrundelse,
        frist: d.frist,
        kraevet: d.kraevet,
      });
    }
    case 'TilbagemeldingskravOpfyldt': {
      const d = event.data;
      return to<ApiTilbagemeldingskravOpfyldtV1>('dk.ffb.tilbagemeldingspligt.opfyldt.v1', [udfoerer, myndighed], {
        ...faelles(parter, d),
        kravId: d.kravId,
        tilbagemeldingId: d.tilbagemeldingId,
        opfyldt: d.opfyldt,
      });
    }
    case 'TilbagemeldingskravBortfaldet': {
      const d = event.data;
      return to<ApiTilbagemeldingskravBortfaldetV1>(
        'dk.ffb.tilbagemeldingspligt.bortfaldet.v1',
        [udfoerer, myndighed],
        {
          ...faelles(parter, d),
          kravId: d.kravId,
          aarsag: d.aarsag,
          bortfaldet: d.bortfaldet,
        },
      );
    }
    case 'PaamindelseSendt': {
      const d = event.data;
      return to<ApiPaamindelseSendtV1>('dk.ffb.paamindelse.sendt.v1', [modtager(d.modtager)], {
        ...faelles(parter, d),
        paamindelseId: d.paamindelseId,
        art: d.art,
        modtager: d.modtager,
        alvor: d.alvor,
        emne: emne(d.emne),
        tekst: d.tekst,
        forfald: d.forfald,
        sendt: d.sendt,
      });
    }
    case 'PaamindelseAfsluttet': {
      const d = event.data;
      return to<ApiPaamindelseAfsluttetV1>('dk.ffb.paamindelse.afsluttet.v1', [modtager(d.modtager)], {
        ...faelles(parter, d),
        paamindelseId: d.paamindelseId,
        modtager: d.modtager,
        afsluttet: d.afsluttet,
      });
    }
    default: {
      const unknown: never = event;
      throw new Error(`No integration mapping for ${(unknown as { type: string }).type}`);
    }
  }
}
