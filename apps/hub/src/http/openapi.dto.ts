import { applyDecorators, HttpCode } from '@nestjs/common';
import { ApiHeader, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

export const commandHeaders = {
  idempotencyKey: {
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key and body returns the first result and changes nothing (kept 24 h).',
  },
  ifMatch: {
    name: 'If-Match',
    required: false,
    description: 'The ETag (stream revision) the client saw; a mismatch gives 412.',
  },
};

export class ProblemFieldDto {
  @ApiProperty({ example: 'indsatsmaal[0].undertema' }) field!: string;
  @ApiProperty({ example: 'R-01' }) code!: string;
  @ApiProperty({ example: 'Hukommelse (Mentale funktioner) is not in kategori Aktivitet og deltagelse' })
  message!: string;
  @ApiPropertyOptional({ example: 'an undertema code of kategori Aktivitet og deltagelse' }) expected?: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'urn:ffb-hub:problem:R-01' }) type!: string;
  @ApiProperty({ example: 'Rule violated' }) title!: string;
  @ApiProperty({ example: 422 }) status!: number;
  @ApiProperty({ example: 'Hukommelse (Mentale funktioner) is not in kategori Aktivitet og deltagelse' })
  detail!: string;
  @ApiProperty({ example: 'R-01', description: 'Stable error code' }) code!: string;
  @ApiProperty({ type: [ProblemFieldDto] }) errors!: ProblemFieldDto[];
  @ApiPropertyOptional() instance?: string;
  @ApiPropertyOptional() correlationId?: string;
}

export class AdvarselDto {
  @ApiProperty({ example: 'R-16' }) code!: string;
  @ApiPropertyOptional({ example: 'ydelser' }) field?: string;
  @ApiProperty({ example: 'a bestilling on a botilbud should include an opholdsydelse' }) message!: string;
}

export class EventRefDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: 'BestillingAfgivet' }) type!: string;
}

export class CommandResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The resource the command created or acted on' }) id!: string;
  @ApiProperty({ example: 'bestilling-0b8f7a52-7c61-4d0e-9a3c-1f3c6b1d2e01' }) streamId!: string;
  @ApiProperty({ example: 0, description: 'Stream revision after the command; also the ETag' }) revision!: number;
  @ApiProperty({ example: 1, nullable: true, description: 'Global log position of the last event' }) position!:
    number | null;
  @ApiProperty({ type: [EventRefDto] }) events!: EventRefDto[];
  @ApiProperty({ type: [AdvarselDto], description: 'Warnings from Warn rules (reference.md §5)' })
  advarsler!: AdvarselDto[];
}

/** A command route: its success status with the command response, and If-Match (Idempotency-Key is on the controller). */
export const Kommando = (status: 200 | 201, options: { ifMatch?: boolean } = {}) =>
  applyDecorators(
    HttpCode(status),
    ApiResponse({
      status,
      type: CommandResponseDto,
      description: 'The command was accepted; ETag is the new revision',
    }),
    ...(options.ifMatch === false
      ? []
      : [
          ApiHeader(commandHeaders.ifMatch),
          ApiResponse({ status: 412, type: ProblemDto, description: 'If-Match no longer matches' }),
        ]),
  );

class KodeDto {
  @ApiProperty({ format: 'uuid' }) code!: string;
  @ApiProperty({ example: 'Indgå i samspil og kontakt' }) display!: string;
  @ApiProperty({ example: '20240530' }) version!: string;
}

class IndsatsmaalTilstandDto {
  @ApiProperty({ format: 'uuid' }) indsatsmaalId!: string;
  @ApiProperty({ example: 1 }) nummer!: number;
  @ApiProperty() maalformulering!: string;
  @ApiProperty({ type: KodeDto }) maaltype!: KodeDto;
  @ApiProperty({ type: KodeDto }) undertema!: KodeDto;
  @ApiProperty({ type: KodeDto }) aktueltFunktionsevneniveau!: KodeDto;
  @ApiProperty({ type: KodeDto }) forventetFunktionsevneniveau!: KodeDto;
  @ApiProperty({ format: 'date' }) opfoelgningsdato!: string;
  @ApiProperty() ansvarligForOpfoelgning!: string;
  @ApiProperty({ type: [KodeDto] }) relateredeUndertemaer!: KodeDto[];
  @ApiProperty({ description: 'false once an ændring ended it' }) aktiv!: boolean;
}

/** GET /bestillinger/{id}: the bestilling as the write path folds it. */
export class BestillingTilstandDto {
  @ApiProperty({ enum: ['afgivet', 'accepteret', 'afvist', 'annulleret', 'afsluttet'] }) fase!: string;
  @ApiProperty({ format: 'uuid' }) bestillingId!: string;
  @ApiProperty({ format: 'uuid', description: "The hub's borgerId; never the CPR" }) borgerId!: string;
  @ApiProperty({ example: '0101' }) kommunekode!: string;
  @ApiProperty({ example: 'tilbud-4711' }) tilbudId!: string;
  @ApiProperty({ example: 2 }) version!: number;
  @ApiProperty({ example: 1, description: 'The latest version the udfører kvitterede; 0 = none' })
  kvitteretVersion!: number;
  @ApiProperty({ type: KodeDto }) tilbudstype!: KodeDto;
  @ApiProperty({ type: [String], example: ['SEL-85'] }) lovgrundlag!: string[];
  @ApiProperty({ type: KodeDto }) primaerMaalgruppe!: KodeDto;
  @ApiProperty({ type: [KodeDto] }) oevrigeMaalgrupper!: KodeDto[];
  @ApiProperty({ type: KodeDto }) stoettebehov!: KodeDto;
  @ApiProperty() borgerensOensker!: string;
  @ApiProperty() indsatsformaal!: string;
  @ApiProperty({ type: [IndsatsmaalTilstandDto] }) indsatsmaal!: IndsatsmaalTilstandDto[];
  @ApiProperty({ type: 'array', items: { type: 'object' } }) ydelser!: object[];
  @ApiProperty({ example: 3, description: 'Stream revision; also the ETag' }) revision!: number;
}

/** GET /delmaal/{id}. */
export class DelmaalTilstandDto {
  @ApiProperty({ enum: ['aktiv', 'afsluttet'] }) fase!: string;
  @ApiProperty({ format: 'uuid' }) delmaalId!: string;
  @ApiProperty({ format: 'uuid' }) bestillingId!: string;
  @ApiProperty({ format: 'uuid' }) indsatsmaalId!: string;
  @ApiProperty({ example: '0101' }) kommunekode!: string;
  @ApiProperty({ example: 'tilbud-4711' }) tilbudId!: string;
  @ApiProperty() navn!: string;
  @ApiProperty({ format: 'date', nullable: true }) evalueringsdato!: string | null;
  @ApiProperty({ format: 'date' }) slutdato!: string;
  @ApiProperty({ type: [String], description: 'Ids of its delmålsobservationer' }) observationer!: string[];
  @ApiProperty({ type: 'array', items: { type: 'object' } }) evalueringer!: object[];
  @ApiProperty({ nullable: true, description: 'The latest konklusion: what flies into the status' }) konklusion!:
    string | null;
  @ApiProperty({ example: 2 }) revision!: number;
}
