import type {
  BestillingAendret,
  BestillingAfgivet,
  BestillingEvent,
  Indsatsmaal,
  Kode,
  YdelseLinje,
} from '@hub/domain';
import type {
  ApiKode,
  BestillingParter,
  DeltObservation,
  IntegrationMessage,
  MappingContext,
} from './integration-event';

/**
 * Public integration events of the bestilling stream, version 1 (docs/adr/0006). Every field is copied by name,
 * never by spreading an internal object, so a field added to an internal event stays internal until a new public
 * version carries it.
 */

export interface ApiIndsatsmaalV1 {
  readonly indsatsmaalId: string;
  readonly nummer: number;
  readonly maalformulering: string;
  readonly maaltype: ApiKode;
  readonly undertema: ApiKode;
  readonly aktueltFunktionsevneniveau: ApiKode;
  readonly forventetFunktionsevneniveau: ApiKode;
  readonly opfoelgningsdato: string;
  readonly ansvarligForOpfoelgning: string;
  readonly relateredeUndertemaer: readonly ApiKode[];
}

export interface ApiYdelseV1 {
  readonly ydelseLinjeId: string;
  readonly ydelse: ApiKode;
  readonly startdato: string;
  readonly slutdato: string | null;
}

/** To the udfører: the bestilling, with the CPR it needs to identify the borger in its own system. */
export interface ApiBestillingAfgivetV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  /** From the PII vault at publication; null when the borger has been erased. Sensitive (ce_ffbsensitivity). */
  readonly cpr: string | null;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly version: 1;
  readonly afgivet: string;
  readonly tilbudstype: ApiKode;
  readonly lovgrundlag: readonly string[];
  readonly ydelser: readonly ApiYdelseV1[];
  readonly primaerMaalgruppe: ApiKode;
  readonly oevrigeMaalgrupper: readonly ApiKode[];
  readonly stoettebehov: ApiKode;
  readonly borgerensOensker: string;
  readonly indsatsformaal: string;
  readonly indsatsmaal: readonly ApiIndsatsmaalV1[];
}

export interface ApiBestillingAendretV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly version: number;
  readonly aendret: string;
  readonly begrundelse: string;
  readonly indsatsformaal: string | null;
  readonly stoettebehov: ApiKode | null;
  readonly tilfoejedeIndsatsmaal: readonly ApiIndsatsmaalV1[];
  readonly aendredeIndsatsmaal: readonly ApiIndsatsmaalV1[];
  readonly afsluttedeIndsatsmaal: readonly string[];
  readonly tilfoejedeYdelser: readonly ApiYdelseV1[];
  readonly aendredeYdelser: readonly ApiYdelseV1[];
}

export interface ApiBestillingAnnulleretV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly annulleret: string;
  readonly begrundelse: string;
}

export interface ApiBestillingKvitteretV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly tilbudId: string;
  readonly version: number;
  readonly kvitteret: string;
}

export interface ApiBestillingAccepteretV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly tilbudId: string;
  readonly accepteret: string;
  readonly forventetStartdato: string | null;
}

export interface ApiBestillingAfvistV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly tilbudId: string;
  readonly afvist: string;
  readonly begrundelse: string;
}

/**
 * To the myndighed: a VUM-observation the udfører flagged as affecting the indsats (trigger T3) or as recording that
 * the borger declines the indsats (trigger T1).
 */
export interface ApiVumObservationDeltV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly tilbudId: string;
  readonly observationId: string;
  readonly tekst: string;
  readonly undertemaer: readonly ApiKode[];
  readonly paavirkerIndsatsen: boolean;
  /** Added to v1 later (optional in the schema, always sent): false on observations stored before it existed. */
  readonly borgerTagerIkkeImod: boolean;
  readonly observeret: string;
  readonly registreret: string;
}

export interface ApiStatusSendtV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly tilbudId: string;
  readonly statusId: string;
  readonly indsatsmaal: readonly { readonly indsatsmaalId: string; readonly statustekst: string }[];
  readonly sendt: string;
}

/** To the myndighed: the tilbagemelding with the observations it lays before the sagsbehandler, in full. */
export interface ApiTilbagemeldingSendtV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly tilbudId: string;
  readonly tilbagemeldingId: string;
  readonly trigger: string;
  readonly tekst: string;
  readonly indsatsmaalId: string | null;
  readonly opfylderKravId: string | null;
  readonly observationer: readonly DeltObservation[];
  readonly sendt: string;
}

export interface ApiTilbagemeldingKvitteretV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly tilbagemeldingId: string;
  readonly kvitteret: string;
  readonly bemaerkning: string | null;
}

/**
 * To the udfører: the result of the opfølgning it must act on (new levels, støttebehov, status på indsats). The
 * three vurderinger are the myndighed's case documentation and stay with it (data minimisation).
 */
export interface ApiOpfoelgningGennemfoertV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly opfoelgningId: string;
  readonly gennemfoert: string;
  readonly funktionsevne: readonly { readonly undertema: ApiKode; readonly funktionsevneniveau: ApiKode }[];
  readonly stoettebehov: ApiKode;
  readonly statusPaaIndsats: ApiKode;
}

export interface ApiIndsatsAfsluttetV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly afsluttet: string;
  readonly slutdato: string;
  readonly begrundelse: string;
}

export const kode = (k: Kode): ApiKode => ({ code: k.code, display: k.display, version: k.version });

const indsatsmaal = (m: Indsatsmaal): ApiIndsatsmaalV1 => ({
  indsatsmaalId: m.indsatsmaalId,
  nummer: m.nummer,
  maalformulering: m.maalformulering,
  maaltype: kode(m.maaltype),
  undertema: kode(m.undertema),
  aktueltFunktionsevneniveau: kode(m.aktueltFunktionsevneniveau),
  forventetFunktionsevneniveau: kode(m.forventetFunktionsevneniveau),
  opfoelgningsdato: m.opfoelgningsdato,
  ansvarligForOpfoelgning: m.ansvarligForOpfoelgning,
  relateredeUndertemaer: m.relateredeUndertemaer.map(kode),
});

const ydelse = (y: YdelseLinje): ApiYdelseV1 => ({
  ydelseLinjeId: y.ydelseLinjeId,
  ydelse: kode(y.ydelse),
  startdato: y.startdato,
  slutdato: y.slutdato,
});

export function parterAf(event: BestillingAfgivet): BestillingParter {
  const { bestillingId, kommunekode, tilbudId, borgerId } = event.data;
  return { bestillingId, kommunekode, tilbudId, borgerId };
}

async function afgivet(event: BestillingAfgivet, ctx: MappingContext): Promise<ApiBestillingAfgivetV1> {
  const d = event.data;
  return {
    bestillingId: d.bestillingId,
    borgerId: d.borgerId,
    cpr: await ctx.laesCpr(d.borgerId),
    kommunekode: d.kommunekode,
    tilbudId: d.tilbudId,
    version: d.version,
    afgivet: d.afgivet,
    tilbudstype: kode(d.tilbudstype),
    lovgrundlag: [...d.lovgrundlag],
    ydelser: d.ydelser.map(ydelse),
    primaerMaalgruppe: kode(d.primaerMaalgruppe),
    oevrigeMaalgrupper: d.oevrigeMaalgrupper.map(kode),
    stoettebehov: kode(d.stoettebehov),
    borgerensOensker: d.borgerensOensker,
    indsatsformaal: d.indsatsformaal,
    indsatsmaal: d.indsatsmaal.map(indsatsmaal),
  };
}

const aendret = (d: BestillingAendret['data'], borgerId: string): ApiBestillingAendretV1 => ({
  bestillingId: d.bestillingId,
  borgerId,
  version: d.version,
  aendret: d.aendret,
  begrundelse: d.begrundelse,
  indsatsformaal: d.indsatsformaal ?? null,
  stoettebehov: d.stoettebehov ? kode(d.stoettebehov) : null,
  tilfoejedeIndsatsmaal: d.tilfoejedeIndsatsmaal.map(indsatsmaal),
  aendredeIndsatsmaal: d.aendredeIndsatsmaal.map(indsatsmaal),
  afsluttedeIndsatsmaal: [...d.afsluttedeIndsatsmaal],
  tilfoejedeYdelser: d.tilfoejedeYdelser.map(ydelse),
  aendredeYdelser: d.aendredeYdelser.map(ydelse),
});

/**
 * The public messages one bestilling event gives, each to its recipient. Events the other party has no need of
 * (a VUM-observation that neither affects the indsats nor records that the borger declines it) give none.
 */
export async function mapBestillingEvent(
  event: BestillingEvent,
  ctx: MappingContext,
): Promise<readonly IntegrationMessage[]> {
  const parter = event.type === 'BestillingAfgivet' ? parterAf(event) : await ctx.parter(event.data.bestillingId);
  const { bestillingId, borgerId, tilbudId } = parter;
  const udfoerer = { party: 'udfoerer', id: tilbudId } as const;
  const myndighed = { party: 'myndighed', id: parter.kommunekode } as const;
  const to = <Data>(
    type: string,
    recipient: IntegrationMessage['recipient'],
    data: Data,
    sensitivity: IntegrationMessage['sensitivity'] = 'fortrolig',
  ): IntegrationMessage<Data>[] => [{ type, recipient, subject: bestillingId, sensitivity, data }];

  switch (event.type) {
    case 'BestillingAfgivet': {
      const data = await afgivet(event, ctx);
      // Marked by what it holds: once the borger is erased the message carries no CPR.
      return to('dk.ffb.bestilling.afgivet.v1', udfoerer, data, data.cpr === null ? 'fortrolig' : 'fortrolig-cpr');
    }
    case 'BestillingAendret':
      return to('dk.ffb.bestilling.aendret.v1', udfoerer, aendret(event.data, borgerId));
    case 'BestillingAnnulleret':
      return to<ApiBestillingAnnulleretV1>('dk.ffb.bestilling.annulleret.v1', udfoerer, {
        bestillingId,
        borgerId,
        annulleret: event.data.annulleret,
        begrundelse: event.data.begrundelse,
      });
    case 'BestillingKvitteret':
      return to<ApiBestillingKvitteretV1>('dk.ffb.bestilling.kvitteret.v1', myndighed, {
        bestillingId,
        borgerId,
        tilbudId,
        version: event.data.version,
        kvitteret: event.data.kvitteret,
      });
    case 'BestillingAccepteret':
      return to<ApiBestillingAccepteretV1>('dk.ffb.bestilling.accepteret.v1', myndighed, {
        bestillingId,
        borgerId,
        tilbudId,
        accepteret: event.data.accepteret,
        forventetStartdato: event.data.forventetStartdato,
      });
    case 'BestillingAfvist':
      return to<ApiBestillingAfvistV1>('dk.ffb.bestilling.afvist.v1', myndighed, {
        bestillingId,
        borgerId,
        tilbudId,
        afvist: event.data.afvist,
        begrundelse: event.data.begrundelse,
      });
    case 'VumObservationRegistreret': {
      // T3 (reference.md §4.1): a change that affects the indsats goes to the sagsbehandler at once, and so does T1:
      // an observation recording that the borger declines the indsats. Other VUM-observations stay with the udfører
      // until a tilbagemelding lays them before the myndighed.
      const d = event.data;
      const borgerTagerIkkeImod = d.borgerTagerIkkeImod ?? false;
      if (!d.paavirkerIndsatsen && !borgerTagerIkkeImod) return [];
      return to<ApiVumObservationDeltV1>('dk.ffb.vumobservation.delt.v1', myndighed, {
        bestillingId,
        borgerId,
        tilbudId,
        observationId: d.observationId,
        tekst: d.tekst,
        undertemaer: d.undertemaer.map(kode),
        paavirkerIndsatsen: d.paavirkerIndsatsen,
        borgerTagerIkkeImod,
        observeret: d.observeret,
        registreret: d.registreret,
      });
    }
    case 'StatusSendt':
      return to<ApiStatusSendtV1>('dk.ffb.status.sendt.v1', myndighed, {
        bestillingId,
        borgerId,
        tilbudId,
        statusId: event.data.statusId,
        indsatsmaal: event.data.indsatsmaal.map((m) => ({
          indsatsmaalId: m.indsatsmaalId,
          statustekst: m.statustekst,
        })),
        sendt: event.data.sendt,
      });
    case 'TilbagemeldingSendt': {
      const d = event.data;
      const observationer: DeltObservation[] = [];
      for (const reference of d.observationer) observationer.push(await ctx.observation(bestillingId, reference));
      return to<ApiTilbagemeldingSendtV1>('dk.ffb.tilbagemelding.sendt.v1', myndighed, {
        bestillingId,
        borgerId,
        tilbudId,
        tilbagemeldingId: d.tilbagemeldingId,
        trigger: d.trigger,
        tekst: d.tekst,
        indsatsmaalId: d.indsatsmaalId,
        opfylderKravId: d.opfylderKravId,
        observationer,
        sendt: d.sendt,
      });
    }
    case 'TilbagemeldingKvitteret':
      return to<ApiTilbagemeldingKvitteretV1>('dk.ffb.tilbagemelding.kvitteret.v1', udfoerer, {
        bestillingId,
        borgerId,
        tilbagemeldingId: event.data.tilbagemeldingId,
        kvitteret: event.data.kvitteret,
        bemaerkning: event.data.bemaerkning,
      });
    case 'OpfoelgningGennemfoert':
      return to<ApiOpfoelgningGennemfoertV1>('dk.ffb.opfoelgning.gennemfoert.v1', udfoerer, {
        bestillingId,
        borgerId,
        opfoelgningId: event.data.opfoelgningId,
        gennemfoert: event.data.gennemfoert,
        funktionsevne: event.data.funktionsevne.map((f) => ({
          undertema: kode(f.undertema),
          funktionsevneniveau: kode(f.funktionsevneniveau),
        })),
        stoettebehov: kode(event.data.stoettebehov),
        statusPaaIndsats: kode(event.data.statusPaaIndsats),
      });
    case 'IndsatsAfsluttet':
      // Not in the list, but the udfører must learn that it is to stop delivering.
      return to<ApiIndsatsAfsluttetV1>('dk.ffb.indsats.afsluttet.v1', udfoerer, {
        bestillingId,
        borgerId,
        afsluttet: event.data.afsluttet,
        slutdato: event.data.slutdato,
        begrundelse: event.data.begrundelse,
      });
    default: {
      const unknown: never = event;
      throw new Error(`No integration mapping for ${(unknown as { type: string }).type}`);
    }
  }
}
