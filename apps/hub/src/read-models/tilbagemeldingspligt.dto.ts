import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import {
  ALVORSGRADER,
  BORTFALDSAARSAGER,
  KRAV_NIVEAUER,
  KRAV_TRIGGERE,
  MODTAGERE,
  PAAMINDELSE_ARTER,
} from '@hub/domain';
import { pligtQueries } from '@hub/read-models';
import { SideQuery } from './read-models.dto';

const DATO = /^\d{4}-\d{2}-\d{2}$/;
const EKS = {
  bestilling: '0b8f7a52-7c61-4d0e-9a3c-1f3c6b1d2e01',
  krav: '5d2c1f0e-3b4a-4c6d-8e7f-9a0b1c2d3e4f',
  tilbagemelding: '7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9',
};

// Queries

export class TilbagemeldingskravQuery extends SideQuery {
  @ApiPropertyOptional({
    enum: pligtQueries.KRAV_STATUSSER,
    default: 'alle',
    description:
      'aaben: hverken opfyldt eller bortfaldet, tidligste frist først; opfyldt: mødt af en tilbagemelding, senest ' +
      'opfyldte først; bortfaldet: bortfaldet uden tilbagemelding (indsatsen eller indsatsmålet er afsluttet, eller ' +
      'en anbefaling er udløbet), senest bortfaldne først; alle: nyeste krav først.',
  })
  @IsOptional()
  @IsIn([...pligtQueries.KRAV_STATUSSER])
  status?: pligtQueries.KravStatus;
}

export class PaamindelserQuery extends SideQuery {
  @ApiPropertyOptional({
    enum: ['aaben', 'afsluttet', 'alle'],
    default: 'alle',
    description:
      'aaben: det, påmindelsen venter på, er ikke sket endnu, ældste forfald først; afsluttet: ikke længere aktuel, senest afsluttede først; alle: nyeste først.',
  })
  @IsOptional()
  @IsIn(['aaben', 'afsluttet', 'alle'])
  status?: 'aaben' | 'afsluttet' | 'alle';
}

export class OverholdelseQuery {
  @ApiPropertyOptional({ format: 'date', description: 'Krav stillet denne dag eller senere (uden: fra begyndelsen).' })
  @IsOptional()
  @Matches(DATO, { message: 'must be a date as YYYY-MM-DD' })
  fra?: string;
  @ApiPropertyOptional({
    format: 'date',
    description: 'Krav stillet denne dag eller tidligere (uden: ingen øvre grænse).',
  })
  @IsOptional()
  @Matches(DATO, { message: 'must be a date as YYYY-MM-DD' })
  til?: string;
  @ApiPropertyOptional({
    enum: KRAV_NIVEAUER,
    description: 'Kun påkrævede eller kun anbefalede tilbagemeldinger (uden: begge).',
  })
  @IsOptional()
  @IsIn([...KRAV_NIVEAUER])
  niveau?: (typeof KRAV_NIVEAUER)[number];
}

// Responses

export class RegelDto {
  @ApiProperty({ description: 'Reglen, der stillede kravet eller sendte påmindelsen.', example: 'T2-MAALTYPE' })
  id!: string;
  @ApiProperty({ description: 'Reglens version.', example: 1 }) version!: number;
}

export class TilbagemeldingskravDto {
  @ApiProperty({ format: 'uuid', example: EKS.krav }) kravId!: string;
  @ApiProperty({ format: 'uuid', example: EKS.bestilling }) bestillingId!: string;
  @ApiProperty({ example: '0101' }) kommunekode!: string;
  @ApiProperty({ example: 'tilbud-4711' }) tilbudId!: string;
  @ApiProperty({ format: 'uuid', description: 'Hubbens id for borgeren (aldrig CPR).' }) borgerId!: string;
  @ApiProperty({ enum: KRAV_TRIGGERE, description: 'Udløseren i tilbagemeldingspligten (reference.md §4.1).' })
  trigger!: string;
  @ApiProperty({ enum: KRAV_NIVEAUER, description: 'påkrævet: pligten gælder; anbefalet: hubben anbefaler det.' })
  niveau!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) indsatsmaalId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) delmaalId!: string | null;
  @ApiProperty({
    description: 'Hvorfor hubben kræver tilbagemeldingen.',
    example: 'Ingen fremgang på indsatsmålet i de seneste tre evalueringer af delmål.',
  })
  begrundelse!: string;
  @ApiProperty({ format: 'date', description: 'Tilbagemeldingen forventes senest denne dag.', example: '2026-06-15' })
  frist!: string;
  @ApiProperty({ format: 'date-time', description: 'Hvornår kravet blev stillet.' }) kraevet!: string;
  @ApiProperty({ type: RegelDto }) regel!: RegelDto;
  @ApiProperty({ type: [String], description: 'Id på de hændelser, der udløste kravet.' }) aarsager!: string[];
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Hvornår tilbagemeldingen, der opfyldte kravet, blev sendt.',
  })
  opfyldt!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, example: EKS.tilbagemelding })
  tilbagemeldingId!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Hvornår myndigheden kvitterede for den tilbagemelding.',
  })
  kvitteret!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description:
      'Hvornår kravet bortfaldt uden tilbagemelding; et bortfaldet krav er hverken åbent eller opfyldt. Null ellers.',
  })
  bortfaldet!: string | null;
  @ApiProperty({
    enum: BORTFALDSAARSAGER,
    nullable: true,
    type: String,
    description:
      'Hvorfor kravet bortfaldt: indsats_afsluttet (indsatsen er afsluttet), indsatsmaal_afsluttet (indsatsmålet er ' +
      'afsluttet), anbefaling_udloebet (en anbefalet tilbagemelding blev ikke sendt inden fristen). Null ellers.',
  })
  bortfaldsaarsag!: string | null;
  @ApiProperty({ description: 'Åbent (hverken opfyldt eller bortfaldet), og fristen var før i dag.' })
  overskredet!: boolean;
}

export class PaamindelseEmneDto {
  @ApiPropertyOptional({ description: 'Bestillingens version.' }) version?: number;
  @ApiPropertyOptional({ format: 'uuid' }) indsatsmaalId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) delmaalId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) tilbagemeldingId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) kravId?: string;
  @ApiPropertyOptional({ format: 'date', description: 'Datoen, påmindelsen handler om (fx en opfølgningsdato).' })
  dato?: string;
}

export class PaamindelseDto {
  @ApiProperty({ format: 'uuid' }) paamindelseId!: string;
  @ApiProperty({ format: 'uuid', example: EKS.bestilling }) bestillingId!: string;
  @ApiProperty({ example: '0101' }) kommunekode!: string;
  @ApiProperty({ example: 'tilbud-4711' }) tilbudId!: string;
  @ApiProperty({ enum: MODTAGERE, description: 'Altid kalderens egen part.' }) modtager!: string;
  @ApiProperty({ enum: PAAMINDELSE_ARTER, description: 'Hvad påmindelsen handler om.' }) art!: string;
  @ApiProperty({
    enum: ALVORSGRADER,
    description: 'påmindelse: før fristen; overskredet: fristen er passeret; eskalering: løftet til den anden part.',
  })
  alvor!: string;
  @ApiProperty({ format: 'date-time' }) sendt!: string;
  @ApiProperty({ format: 'date-time', description: 'Hvornår fristen bag påmindelsen faldt.' }) forfald!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Ikke længere aktuel siden.' })
  afsluttet!: string | null;
  @ApiProperty({ type: PaamindelseEmneDto }) emne!: PaamindelseEmneDto;
  @ApiProperty({ description: 'Tekst til modtagerens arbejdsliste.', example: 'Status til opfølgning mangler.' })
  tekst!: string;
  @ApiProperty({ type: RegelDto }) regel!: RegelDto;
  @ApiProperty({ type: [String], description: 'Id på de hændelser, der udløste påmindelsen.' }) aarsager!: string[];
}

export class OverholdelseDto {
  @ApiProperty({ description: 'Krav stillet i perioden.' }) kraevet!: number;
  @ApiProperty({ description: 'Heraf opfyldt (indtil nu).' }) opfyldt!: number;
  @ApiProperty({ description: 'Heraf opfyldt senest på fristen.' }) opfyldtIndenFrist!: number;
  @ApiProperty({
    description:
      'Bortfaldet uden tilbagemelding (indsatsen eller indsatsmålet er afsluttet, eller en anbefaling er udløbet); ' +
      'tælles hverken som åbne eller opfyldte.',
  })
  bortfaldne!: number;
  @ApiProperty({ description: 'Endnu hverken opfyldt eller bortfaldet.' }) aabne!: number;
  @ApiProperty({ description: 'Åbne, og fristen var før i dag.' }) overskredne!: number;
  @ApiProperty({ description: 'Opfyldt, og myndigheden har kvitteret for tilbagemeldingen.' }) kvitteret!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Median antal dage fra kravet blev stillet til det blev opfyldt; null uden opfyldte krav.',
  })
  medianDageTilOpfyldt!: number | null;
}

export class OverholdelseTriggerDto extends OverholdelseDto {
  @ApiProperty({ enum: KRAV_TRIGGERE }) trigger!: string;
}

export class OverholdelseTilbudDto extends OverholdelseDto {
  @ApiProperty({ example: 'tilbud-4711' }) tilbudId!: string;
  @ApiProperty({ type: [OverholdelseTriggerDto] }) triggere!: OverholdelseTriggerDto[];
}

export class OverholdelseRapportDto {
  @ApiProperty({ format: 'date', nullable: true, type: String }) fra!: string | null;
  @ApiProperty({ format: 'date', nullable: true, type: String }) til!: string | null;
  @ApiProperty({ format: 'date', description: 'Dagen, åbne krav måles mod (overskredne).' }) idag!: string;
  @ApiProperty({ type: OverholdelseDto, description: 'Alle krav i perioden.' }) samlet!: OverholdelseDto;
  @ApiProperty({ type: [OverholdelseTriggerDto], description: 'Pr. udløser (T1, T2, T3).' })
  triggere!: OverholdelseTriggerDto[];
  @ApiPropertyOptional({ type: [OverholdelseTilbudDto], description: 'Kun for myndigheden: pr. tilbud i kommunen.' })
  tilbud?: OverholdelseTilbudDto[];
}
