import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class IndsigtDto {
  @ApiProperty({
    description: "The borger's CPR-nummer (10 digits, a dash allowed). Looked up in the PII vault; never logged.",
    example: '0101704321',
  })
  @IsString({ message: 'must be a CPR-nummer' })
  @Matches(/^\d{6}-?\d{4}$/, { message: 'must be a CPR-nummer of 10 digits' })
  cpr!: string;
}

export class IndsigtKanalDto {
  @ApiProperty({ enum: ['http', 'kafka'] }) kind!: 'http' | 'kafka';
  @ApiPropertyOptional({ example: 'GET' }) method?: string;
  @ApiPropertyOptional({ example: '/bestillinger/:bestillingId', description: 'The route template, no ids' })
  route?: string;
  @ApiPropertyOptional({ example: 'ffb.udfoerer.tilbud-4711.v1' }) topic?: string;
}

export class IndsigtOpslagDto {
  @ApiProperty({ format: 'date-time', description: 'When the data were used' }) at!: string;
  @ApiProperty({ example: 'udfoerer' }) party!: string;
  @ApiProperty({ description: "The token's sub: the system or person", example: 'bosted-system' }) subject!: string;
  @ApiPropertyOptional({ example: '0101' }) kommunekode?: string;
  @ApiPropertyOptional({ example: 'tilbud-4711' }) tilbudId?: string;
  @ApiProperty({ enum: ['laes', 'skriv'], description: 'laes: a lookup or a delivery; skriv: a command' })
  action!: 'laes' | 'skriv';
  @ApiProperty({ type: IndsigtKanalDto }) channel!: IndsigtKanalDto;
  @ApiProperty({ example: 'opfølgning på indsats', description: 'The stated purpose; "ikke angivet" in development' })
  purpose!: string;
  @ApiProperty({ description: 'The request or event id, to find the use in other logs' }) correlationId!: string;
}

export class IndsigtSvarDto {
  @ApiProperty({ format: 'uuid' }) borgerId!: string;
  @ApiProperty({ type: [IndsigtOpslagDto], description: 'Every recorded use of the borger, oldest first' })
  opslag!: IndsigtOpslagDto[];
}
