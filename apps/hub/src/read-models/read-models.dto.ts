import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';

const DATO = /^\d{4}-\d{2}-\d{2}$/;

export class SideQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class BestillingerQuery extends SideQuery {
  @ApiPropertyOptional({ enum: ['afgivet', 'accepteret', 'afvist', 'annulleret', 'afsluttet'] })
  @IsOptional()
  @IsIn(['afgivet', 'accepteret', 'afvist', 'annulleret', 'afsluttet'])
  fase?: string;
}

export class UdfoererBestillingerQuery extends BestillingerQuery {
  @ApiPropertyOptional({ enum: ['kvittering', 'accept'], description: 'What awaits the udfører' })
  @IsOptional()
  @IsIn(['kvittering', 'accept'])
  afventer?: 'kvittering' | 'accept';
}

export class TilbagemeldingerQuery extends SideQuery {
  @ApiPropertyOptional({ enum: ['aaben', 'kvitteret', 'alle'], default: 'alle' })
  @IsOptional()
  @IsIn(['aaben', 'kvitteret', 'alle'])
  status?: 'aaben' | 'kvitteret' | 'alle';
}

export class FristerQuery {
  @ApiPropertyOptional({
    format: 'date',
    description: 'Up to this date (default: 30 days from today); overdue ones always',
  })
  @IsOptional()
  @Matches(DATO, { message: 'must be a date as YYYY-MM-DD' })
  til?: string;
}

export class ObservationerQuery extends SideQuery {
  @ApiPropertyOptional({ enum: ['funktionerOgForhold', 'omgivelsesfaktorer', 'aktivitetOgDeltagelse'] })
  @IsOptional()
  @IsIn(['funktionerOgForhold', 'omgivelsesfaktorer', 'aktivitetOgDeltagelse'])
  kategori?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'FFB overtema code' })
  @IsOptional()
  @IsUUID('all')
  overtema?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'FFB undertema code' })
  @IsOptional()
  @IsUUID('all')
  undertema?: string;
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @Matches(DATO, { message: 'must be a date as YYYY-MM-DD' })
  fra?: string;
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @Matches(DATO, { message: 'must be a date as YYYY-MM-DD' })
  til?: string;
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  borgerId?: string;
  @ApiPropertyOptional({ description: 'For the myndighed: one of its tilbud' })
  @IsOptional()
  @IsString()
  tilbudId?: string;
  @ApiPropertyOptional({ enum: ['vum', 'delmaal'] })
  @IsOptional()
  @IsIn(['vum', 'delmaal'])
  type?: 'vum' | 'delmaal';
}

export class PeriodeQuery {
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @Matches(DATO, { message: 'must be a date as YYYY-MM-DD' })
  fra?: string;
  @ApiPropertyOptional({ format: 'date' })
  @IsOptional()
  @Matches(DATO, { message: 'must be a date as YYYY-MM-DD' })
  til?: string;
}

export class MaalopfyldelseQuery {
  @ApiPropertyOptional({ enum: ['undertema', 'tilbud'], default: 'undertema' })
  @IsOptional()
  @IsIn(['undertema', 'tilbud'])
  gruppering?: 'undertema' | 'tilbud';
}
