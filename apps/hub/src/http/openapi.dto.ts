import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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
