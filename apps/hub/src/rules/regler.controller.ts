import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { STANDARD_TAERSKLER, taersklerFor, type Regelfil } from '@hub/domain';
import { REGLER } from '@hub/rules';
import { Caller } from '../auth/auth.guard';
import type { Principal } from '../auth/token-verifier';
import { ProblemDto } from '../http/openapi.dto';
import { REGELFIL } from '../tokens';

export class ReglerQuery {
  @ApiPropertyOptional({
    example: '0101',
    description: 'Kommunen, hvis tærskler vises. Uden: en myndigheds egen kommune; for en udfører: standardtærsklerne.',
  })
  @IsOptional()
  @Matches(/^\d{4}$/, { message: 'must be a kommunekode of 4 digits' })
  kommunekode?: string;
}

export class RegelBeskrivelseDto {
  @ApiProperty({ example: 'T2-MAALTYPE', description: 'Reglens id; står på hver hændelse, reglen har skrevet.' })
  id!: string;
  @ApiProperty({ example: 1, description: 'Reglens version; står også på hændelserne.' }) version!: number;
  @ApiProperty({ description: 'Hvad reglen holder øje med, og hvad den gør.' }) titel!: string;
  @ApiProperty({ type: [String], description: 'De hændelsestyper, reglen læser.' }) reagererPaa!: string[];
}

export class TaersklerDto {
  @ApiProperty({ example: 21 }) t1DageUdenDokumentation!: number;
  @ApiProperty({ example: 2 }) t2EvalueringerUdenFremgang!: number;
  @ApiProperty({ example: 2 }) t2EvalueringerMedTilbagegang!: number;
  @ApiProperty({ example: 3 }) t2ScoreVindue!: number;
  @ApiProperty({ example: 14 }) kravFristDage!: number;
  @ApiProperty({ example: 3 }) kvitteringPaamindelseDage!: number;
  @ApiProperty({ example: 7 }) kvitteringEskaleringDage!: number;
  @ApiProperty({ example: 30 }) opfoelgningVarselDage!: number;
  @ApiProperty({ example: 14 }) delmaalUdenObservationDage!: number;
  @ApiProperty({ example: 10 }) tilbagemeldingKvitteringDage!: number;
}

export class ReglerDto {
  @ApiProperty({ type: [RegelBeskrivelseDto] }) regler!: RegelBeskrivelseDto[];
  @ApiProperty({ nullable: true, type: String, example: '0101', description: 'Kommunen, tærsklerne gælder for.' })
  kommunekode!: string | null;
  @ApiProperty({
    type: TaersklerDto,
    description: 'Tærsklerne i kraft (kommunens, ellers filens, ellers hubbens egne).',
  })
  taerskler!: TaersklerDto;
  @ApiProperty({ type: TaersklerDto, description: 'Hubbens egne standardtærskler (kilderne angiver ingen).' })
  standard!: TaersklerDto;
}

/**
 * The tilbagemeldingspligt rules in force: a party that sees "regel T2-MAALTYPE@1" on a krav or a påmindelse looks up
 * here what the rule watches and with which thresholds (docs/adr/0008). Configuration, no personal data.
 */
@ApiTags('tilbagemeldingspligt')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ProblemDto })
@Controller('tilbagemeldingspligt')
export class ReglerController {
  constructor(@Inject(REGELFIL) private readonly regelfil: Regelfil) {}

  @Get('regler')
  @ApiOperation({
    summary: 'The rules of the tilbagemeldingspligt with id, version and title, and the thresholds in force',
  })
  @ApiOkResponse({ type: ReglerDto })
  regler(@Caller() caller: Principal, @Query() q: ReglerQuery): ReglerDto {
    const kommunekode = q.kommunekode ?? (caller.party === 'myndighed' ? (caller.kommunekode ?? null) : null);
    return {
      regler: REGLER.map((r) => ({ id: r.id, version: r.version, titel: r.titel, reagererPaa: [...r.reagererPaa] })),
      kommunekode,
      taerskler:
        kommunekode === null
          ? { ...STANDARD_TAERSKLER, ...this.regelfil.tilbagemeldingspligt }
          : taersklerFor(this.regelfil, kommunekode),
      standard: STANDARD_TAERSKLER,
    };
  }
}
