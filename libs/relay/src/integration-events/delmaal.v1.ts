import type { DelmaalEvent } from '@hub/domain';
import type { IntegrationMessage, MappingContext } from './integration-event';

/**
 * To the myndighed: the delmål the udfører sets under its indsatsmål, and how each ended. The delmålsplan is the
 * udfører's working document and stays internal; so do delmålsobservationer and evalueringer, which reach the
 * myndighed through the status ("konklusionen fra delmålene flyver over i status", reference.md §4.4) or, when a
 * tilbagemelding references them, inside that tilbagemelding.
 */
export interface ApiDelmaalOprettetV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly tilbudId: string;
  readonly delmaalId: string;
  readonly indsatsmaalId: string;
  readonly navn: string;
  readonly startdato: string;
  readonly evalueringsdato: string | null;
  readonly slutdato: string;
  readonly ansvarlig: string;
  readonly oprettet: string;
}

export interface ApiDelmaalAfsluttetV1 {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly tilbudId: string;
  readonly delmaalId: string;
  readonly afsluttet: string;
  readonly maalopfyldelse: string;
  readonly konklusion: string;
}

export async function mapDelmaalEvent(
  event: DelmaalEvent,
  ctx: MappingContext,
): Promise<readonly IntegrationMessage[]> {
  switch (event.type) {
    case 'DelmaalOprettet': {
      const d = event.data;
      const data: ApiDelmaalOprettetV1 = {
        bestillingId: d.bestillingId,
        borgerId: d.borgerId,
        tilbudId: d.tilbudId,
        delmaalId: d.delmaalId,
        indsatsmaalId: d.indsatsmaalId,
        navn: d.navn,
        startdato: d.startdato,
        evalueringsdato: d.evalueringsdato,
        slutdato: d.slutdato,
        ansvarlig: d.ansvarlig,
        oprettet: d.oprettet,
      };
      const recipient = { party: 'myndighed', id: d.kommunekode } as const;
      return [
        { type: 'dk.ffb.delmaal.oprettet.v1', recipient, subject: d.bestillingId, sensitivity: 'fortrolig', data },
      ];
    }
    case 'DelmaalAfsluttet': {
      const d = event.data;
      const parter = await ctx.parter(d.bestillingId);
      const data: ApiDelmaalAfsluttetV1 = {
        bestillingId: d.bestillingId,
        borgerId: parter.borgerId,
        tilbudId: parter.tilbudId,
        delmaalId: d.delmaalId,
        afsluttet: d.afsluttet,
        maalopfyldelse: d.maalopfyldelse,
        konklusion: d.konklusion,
      };
      const recipient = { party: 'myndighed', id: parter.kommunekode } as const;
      return [
        { type: 'dk.ffb.delmaal.afsluttet.v1', recipient, subject: d.bestillingId, sensitivity: 'fortrolig', data },
      ];
    }
    case 'DelmaalsobservationRegistreret':
    case 'DelmaalEvalueret':
      return [];
    default: {
      const unknown: never = event;
      throw new Error(`No integration mapping for ${(unknown as { type: string }).type}`);
    }
  }
}
