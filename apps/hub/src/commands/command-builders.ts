import type {
  AccepterBestillingDto,
  AendrBestillingDto,
  AfgivBestillingDto,
  AfslutIndsatsDto,
  BegrundelseDto,
  KvitterBestillingDto,
  KvitterTilbagemeldingDto,
  OpfoelgningDto,
  StatusDto,
  TilbagemeldingDto,
  VumObservationDto,
} from '../bestilling/bestilling.dto';
import type {
  AfslutDelmaalDto,
  DelmaalsobservationDto,
  EvaluerDelmaalDto,
  OpretDelmaalDto,
} from '../delmaal/delmaal.dto';
import type { HubCommand } from './command-service';

/**
 * Commands from validated request bodies, shared by every edge (HTTP and Kafka), so a body means the same command
 * whichever way it arrives. Ids the body leaves out come from `IdFor`, given the id's purpose (e.g.
 * `indsatsmaalId[0]`): over HTTP derived from the Idempotency-Key or random, over Kafka derived from the message id,
 * so a command that runs again after a crash names the same resources.
 */
export type IdFor = (given: string | null | undefined, purpose: string) => string;

type Kommando<T extends HubCommand['type']> = Extract<HubCommand, { type: T }>;

export function afgivBestilling(
  body: Omit<AfgivBestillingDto, 'cpr'>,
  bestillingId: string,
  borgerId: string,
  idFor: IdFor,
): Kommando<'AfgivBestilling'> {
  return {
    type: 'AfgivBestilling',
    data: {
      ...body,
      bestillingId,
      borgerId,
      ydelser: (body.ydelser ?? []).map((y, i) => ({
        ...y,
        ydelseLinjeId: idFor(y.ydelseLinjeId, `ydelseLinjeId[${i}]`),
      })),
      indsatsmaal: (body.indsatsmaal ?? []).map((m, i) => ({
        ...m,
        indsatsmaalId: idFor(m.indsatsmaalId, `indsatsmaalId[${i}]`),
      })),
    } as never,
  };
}

export const aendrBestilling = (
  bestillingId: string,
  body: AendrBestillingDto,
  idFor: IdFor,
): Kommando<'AendrBestilling'> => ({
  type: 'AendrBestilling',
  data: {
    ...body,
    bestillingId,
    tilfoejIndsatsmaal: body.tilfoejIndsatsmaal?.map((m, i) => ({
      ...m,
      indsatsmaalId: idFor(m.indsatsmaalId, `indsatsmaalId[${i}]`),
    })),
    tilfoejYdelser: body.tilfoejYdelser?.map((y, i) => ({
      ...y,
      ydelseLinjeId: idFor(y.ydelseLinjeId, `ydelseLinjeId[${i}]`),
    })),
  } as never,
});

export const annullerBestilling = (bestillingId: string, body: BegrundelseDto): Kommando<'AnnullerBestilling'> => ({
  type: 'AnnullerBestilling',
  data: { bestillingId, begrundelse: body.begrundelse },
});

export const kvitterBestilling = (bestillingId: string, body: KvitterBestillingDto): Kommando<'KvitterBestilling'> => ({
  type: 'KvitterBestilling',
  data: { bestillingId, version: body.version },
});

export const accepterBestilling = (
  bestillingId: string,
  body: AccepterBestillingDto,
): Kommando<'AccepterBestilling'> => ({
  type: 'AccepterBestilling',
  data: { bestillingId, forventetStartdato: body.forventetStartdato ?? null },
});

export const afvisBestilling = (bestillingId: string, body: BegrundelseDto): Kommando<'AfvisBestilling'> => ({
  type: 'AfvisBestilling',
  data: { bestillingId, begrundelse: body.begrundelse },
});

export const registrerVumObservation = (
  bestillingId: string,
  body: VumObservationDto,
  idFor: IdFor,
): Kommando<'RegistrerVumObservation'> => ({
  type: 'RegistrerVumObservation',
  data: { ...body, bestillingId, observationId: idFor(body.observationId, 'observationId') },
});

export const sendStatus = (bestillingId: string, body: StatusDto, idFor: IdFor): Kommando<'SendStatus'> => ({
  type: 'SendStatus',
  data: { bestillingId, statusId: idFor(body.statusId, 'statusId'), indsatsmaal: body.indsatsmaal },
});

export const sendTilbagemelding = (
  bestillingId: string,
  body: TilbagemeldingDto,
  idFor: IdFor,
): Kommando<'SendTilbagemelding'> => ({
  type: 'SendTilbagemelding',
  data: { ...body, bestillingId, tilbagemeldingId: idFor(body.tilbagemeldingId, 'tilbagemeldingId') },
});

export const kvitterTilbagemelding = (
  bestillingId: string,
  tilbagemeldingId: string,
  body: KvitterTilbagemeldingDto,
): Kommando<'KvitterTilbagemelding'> => ({
  type: 'KvitterTilbagemelding',
  data: { bestillingId, tilbagemeldingId, bemaerkning: body.bemaerkning ?? null },
});

export const gennemfoerOpfoelgning = (
  bestillingId: string,
  body: OpfoelgningDto,
  idFor: IdFor,
): Kommando<'GennemfoerOpfoelgning'> => ({
  type: 'GennemfoerOpfoelgning',
  data: { ...body, bestillingId, opfoelgningId: idFor(body.opfoelgningId, 'opfoelgningId') } as never,
});

export const afslutIndsats = (bestillingId: string, body: AfslutIndsatsDto): Kommando<'AfslutIndsats'> => ({
  type: 'AfslutIndsats',
  data: { bestillingId, slutdato: body.slutdato, begrundelse: body.begrundelse },
});

export const opretDelmaal = (bestillingId: string, body: OpretDelmaalDto, idFor: IdFor): Kommando<'OpretDelmaal'> => ({
  type: 'OpretDelmaal',
  data: { ...body, bestillingId, delmaalId: idFor(body.delmaalId, 'delmaalId') },
});

export const registrerDelmaalsobservation = (
  delmaalId: string,
  body: DelmaalsobservationDto,
  idFor: IdFor,
): Kommando<'RegistrerDelmaalsobservation'> => ({
  type: 'RegistrerDelmaalsobservation',
  data: { ...body, delmaalId, observationId: idFor(body.observationId, 'observationId') },
});

export const evaluerDelmaal = (
  delmaalId: string,
  body: EvaluerDelmaalDto,
  idFor: IdFor,
): Kommando<'EvaluerDelmaal'> => ({
  type: 'EvaluerDelmaal',
  data: { ...body, delmaalId, evalueringId: idFor(body.evalueringId, 'evalueringId') },
});

export const afslutDelmaal = (delmaalId: string, body: AfslutDelmaalDto): Kommando<'AfslutDelmaal'> => ({
  type: 'AfslutDelmaal',
  data: { ...body, delmaalId },
});
