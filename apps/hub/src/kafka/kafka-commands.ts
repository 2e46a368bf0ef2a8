import type { PiiVault } from '@hub/privacy';
import { forberedAfgivelse } from '../bestilling/afgivelse';
import {
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
import { COMMAND_PARTY } from '../commands/access';
import * as build from '../commands/command-builders';
import type { HubCommand } from '../commands/command-service';
import { AfslutDelmaalDto, DelmaalsobservationDto, EvaluerDelmaalDto, OpretDelmaalDto } from '../delmaal/delmaal.dto';

/** The ids an HTTP command carries in its path; over Kafka they are fields of the body. */
export type PathId = 'bestillingId' | 'tilbagemeldingId' | 'delmaalId';

export interface Built {
  readonly command: HubCommand;
  readonly beforeAppend?: (() => Promise<HubCommand>) | undefined;
}

/** A command the hub accepts over Kafka: the same DTO and the same builder as its HTTP route. */
export interface KafkaCommand {
  /** ce_type, e.g. `dk.ffb.kommando.afgivbestilling.v1`. */
  readonly type: string;
  readonly command: HubCommand['type'];
  readonly dto: new () => object;
  readonly path: readonly PathId[];
  /** The HTTP route it mirrors, for the AsyncAPI document. */
  readonly http: string;
  build(ids: Readonly<Record<PathId, string>>, body: object, idFor: build.IdFor, vault: PiiVault): Promise<Built>;
}

const kommando = <Dto extends object>(
  command: HubCommand['type'],
  dto: new () => Dto,
  path: readonly PathId[],
  http: string,
  make: (
    ids: Readonly<Record<PathId, string>>,
    body: Dto,
    idFor: build.IdFor,
    vault: PiiVault,
  ) => Built | Promise<Built>,
): KafkaCommand => ({
  type: `dk.ffb.kommando.${command.toLowerCase()}.v1`,
  command,
  dto,
  path,
  http,
  build: async (ids, body, idFor, vault) => make(ids, body as Dto, idFor, vault),
});

const only = (command: HubCommand): Built => ({ command });

export const KAFKA_COMMANDS: readonly KafkaCommand[] = [
  kommando('AfgivBestilling', AfgivBestillingDto, [], 'POST /bestillinger', (_ids, body, idFor, vault) =>
    forberedAfgivelse(vault, body, idFor),
  ),
  kommando('AendrBestilling', AendrBestillingDto, ['bestillingId'], 'POST /bestillinger/{id}/aendringer', (i, b, id) =>
    only(build.aendrBestilling(i.bestillingId, b, id)),
  ),
  kommando('AnnullerBestilling', BegrundelseDto, ['bestillingId'], 'POST /bestillinger/{id}/annullering', (i, b) =>
    only(build.annullerBestilling(i.bestillingId, b)),
  ),
  kommando('KvitterBestilling', KvitterBestillingDto, ['bestillingId'], 'POST /bestillinger/{id}/kvittering', (i, b) =>
    only(build.kvitterBestilling(i.bestillingId, b)),
  ),
  kommando('AccepterBestilling', AccepterBestillingDto, ['bestillingId'], 'POST /bestillinger/{id}/accept', (i, b) =>
    only(build.accepterBestilling(i.bestillingId, b)),
  ),
  kommando('AfvisBestilling', BegrundelseDto, ['bestillingId'], 'POST /bestillinger/{id}/afvisning', (i, b) =>
    only(build.afvisBestilling(i.bestillingId, b)),
  ),
  kommando(
    'RegistrerVumObservation',
    VumObservationDto,
    ['bestillingId'],
    'POST /bestillinger/{id}/vum-observationer',
    (i, b, id) => only(build.registrerVumObservation(i.bestillingId, b, id)),
  ),
  kommando('SendStatus', StatusDto, ['bestillingId'], 'POST /bestillinger/{id}/status', (i, b, id) =>
    only(build.sendStatus(i.bestillingId, b, id)),
  ),
  kommando(
    'SendTilbagemelding',
    TilbagemeldingDto,
    ['bestillingId'],
    'POST /bestillinger/{id}/tilbagemeldinger',
    (i, b, id) => only(build.sendTilbagemelding(i.bestillingId, b, id)),
  ),
  kommando(
    'KvitterTilbagemelding',
    KvitterTilbagemeldingDto,
    ['bestillingId', 'tilbagemeldingId'],
    'POST /bestillinger/{id}/tilbagemeldinger/{tid}/kvittering',
    (i, b) => only(build.kvitterTilbagemelding(i.bestillingId, i.tilbagemeldingId, b)),
  ),
  kommando(
    'GennemfoerOpfoelgning',
    OpfoelgningDto,
    ['bestillingId'],
    'POST /bestillinger/{id}/opfoelgninger',
    (i, b, id) => only(build.gennemfoerOpfoelgning(i.bestillingId, b, id)),
  ),
  kommando('AfslutIndsats', AfslutIndsatsDto, ['bestillingId'], 'POST /bestillinger/{id}/afslutning', (i, b) =>
    only(build.afslutIndsats(i.bestillingId, b)),
  ),
  kommando('OpretDelmaal', OpretDelmaalDto, ['bestillingId'], 'POST /bestillinger/{id}/delmaal', (i, b, id) =>
    only(build.opretDelmaal(i.bestillingId, b, id)),
  ),
  kommando(
    'RegistrerDelmaalsobservation',
    DelmaalsobservationDto,
    ['delmaalId'],
    'POST /delmaal/{id}/observationer',
    (i, b, id) => only(build.registrerDelmaalsobservation(i.delmaalId, b, id)),
  ),
  kommando('EvaluerDelmaal', EvaluerDelmaalDto, ['delmaalId'], 'POST /delmaal/{id}/evalueringer', (i, b, id) =>
    only(build.evaluerDelmaal(i.delmaalId, b, id)),
  ),
  kommando('AfslutDelmaal', AfslutDelmaalDto, ['delmaalId'], 'POST /delmaal/{id}/afslutning', (i, b) =>
    only(build.afslutDelmaal(i.delmaalId, b)),
  ),
];

export const KAFKA_COMMANDS_BY_TYPE: ReadonlyMap<string, KafkaCommand> = new Map(
  KAFKA_COMMANDS.map((c) => [c.type, c]),
);

/** The party that sends a command over Kafka is the one that sends it over HTTP. */
export const senderOf = (command: KafkaCommand) => COMMAND_PARTY[command.command];
