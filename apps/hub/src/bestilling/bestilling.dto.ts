import { LOVGRUNDLAG, MAX_OBSERVATIONER_PR_TILBAGEMELDING, TILBAGEMELDING_TRIGGERE } from '@hub/domain';
import { ArrayMaxSize, IsArray, IsIn } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import {
  Dato,
  EnAf,
  EnFfbKode,
  FfbKode,
  FfbKoder,
  Heltal,
  Liste,
  Sandhed,
  Tekst,
  Tidspunkt,
  Uuid,
  Uuider,
} from '../http/dto-decorators';

// Example codes from KL's FFB CodeSystem 20240530.
const EKS = {
  indgaaISamspil: '3f9da5ac-9686-4eeb-b517-b46e17fcb1d7',
  udvikle: 'd41c8072-52f8-42b5-9375-ddbea454d27f',
  moderat: '5bdde847-2837-416b-ab63-bbff8b7aa531',
  let: '8328ce4a-6238-4f73-bf1a-74aadb68eff8',
  moderatStoettebehov: '401a397b-b3aa-4ca3-8b23-bd8f99dd3f76',
  fortsaettelse: '1e971d84-10a4-4ef8-a8b3-0daa4c7d088a',
};

export class IndsatsmaalDto {
  @Uuid({ optional: true, description: 'Id of the indsatsmål; the hub assigns one when absent.' })
  indsatsmaalId?: string;
  @Tekst({ description: 'Målformulering i fritekst.', example: 'Jeg vil gerne kunne møde mine venner i byen igen.' })
  maalformulering!: string;
  @EnFfbKode({
    optional: true,
    description: 'Måltype (FFB): Udvikle, Fastholde or Begrænse tab af funktionsevne (R-06).',
    example: EKS.udvikle,
  })
  maaltype?: string;
  @EnFfbKode({
    optional: true,
    description: 'One undertema of kategori Aktivitet og deltagelse (R-01, R-02).',
    example: EKS.indgaaISamspil,
  })
  undertema?: string | string[];
  @FfbKode({ description: 'Aktuelt funktionsevneniveau (FFB).', example: EKS.moderat })
  aktueltFunktionsevneniveau!: string;
  @FfbKode({ description: 'Forventet funktionsevneniveau (FFB).', example: EKS.let })
  forventetFunktionsevneniveau!: string;
  @Dato({ description: 'Opfølgningsdato for målet.', example: '2026-09-01' })
  opfoelgningsdato!: string;
  @Tekst({ description: 'Ansvarlig for opfølgning.', example: 'Social service i Københavns Kommune' })
  ansvarligForOpfoelgning!: string;
  @FfbKoder({ optional: true, description: 'Relaterede undertemaer from Aktivitet og deltagelse (R-03).' })
  relateredeUndertemaer?: string[];
}

export class YdelseDto {
  @Uuid({ optional: true, description: 'Id of the ydelse-linje; the hub assigns one when absent.' })
  ydelseLinjeId?: string;
  @FfbKode({ description: 'Ydelse from FFB indsatskatalog (R-15).', example: '05cd5e81-1a3a-4bdd-901b-7ec96c12d990' })
  ydelse!: string;
  @Dato({ description: 'Startdato.', example: '2026-03-15' })
  startdato!: string;
  @Dato({
    optional: true,
    description: 'Slutdato; absent for an open-ended ydelse (R-17: not before startdato).',
    example: '2027-03-14',
  })
  slutdato?: string | null;
}

export class AfgivBestillingDto {
  @Uuid({ optional: true, description: 'Id of the bestilling; the hub assigns one when absent.' })
  bestillingId?: string;
  @Tekst({
    description: "The borger's CPR-nummer. Kept only in the PII vault; events carry the hub's borgerId.",
    example: '0101704321',
  })
  cpr!: string;
  @Tekst({ description: "Kommunekode of the ordering kommune; must be the token's.", example: '0101' })
  kommunekode!: string;
  @Tekst({ description: 'The concrete tilbud the bestilling is addressed to.', example: 'tilbud-4711' })
  tilbudId!: string;
  @FfbKode({ description: 'Socialt tilbud type (FFB Tilbud).', example: 'd90f4da6-f87a-43b5-833f-646b4baf16d6' })
  tilbudstype!: string;
  @ApiProperty({ description: 'Lovgrundlag.', enum: LOVGRUNDLAG, isArray: true, example: ['SEL-85'] })
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(LOVGRUNDLAG.length)
  @IsIn(LOVGRUNDLAG as unknown as string[], { each: true, message: `must be among ${LOVGRUNDLAG.join(', ')}` })
  lovgrundlag!: (typeof LOVGRUNDLAG)[number][];
  @Liste(() => YdelseDto, { description: 'Ydelser, each with its own period.' })
  ydelser!: YdelseDto[];
  @EnFfbKode({
    optional: true,
    description: 'Primær målgruppe (R-12).',
    example: '9b3fd322-a75a-4ed8-9b74-425fa1e01c95',
  })
  primaerMaalgruppe?: string | string[];
  @FfbKoder({ optional: true, description: 'Øvrige målgrupper.' })
  oevrigeMaalgrupper?: string[];
  @EnFfbKode({ optional: true, description: 'Støttebehov (R-10).', example: EKS.moderatStoettebehov })
  stoettebehov?: string | string[];
  @Tekst({
    description: "Borgerens ønsker for fremtiden, in the borger's own words.",
    example: 'Jeg vil gerne undgå, at angsten styrer mit liv.',
  })
  borgerensOensker!: string;
  @Tekst({ description: 'Indsatsformål.', example: 'Borgeren opnår at kunne indgå i sociale fællesskaber.' })
  indsatsformaal!: string;
  @Liste(() => IndsatsmaalDto, { description: 'Structured indsatsmål.', max: 50 })
  indsatsmaal!: IndsatsmaalDto[];
}

export class AendrBestillingDto {
  @Tekst({ description: 'Why the bestilling changes.', example: 'Opfølgningen viste et nyt behov.' })
  begrundelse!: string;
  @Tekst({ optional: true, description: 'A new indsatsformål.' })
  indsatsformaal?: string;
  @FfbKode({ optional: true, description: 'A new støttebehov.' })
  stoettebehov?: string;
  @Liste(() => IndsatsmaalDto, { optional: true, description: 'Indsatsmål to add.', max: 50 })
  tilfoejIndsatsmaal?: IndsatsmaalDto[];
  @Liste(() => IndsatsmaalDto, {
    optional: true,
    description: 'Active indsatsmål to replace, by indsatsmaalId.',
    max: 50,
  })
  aendrIndsatsmaal?: IndsatsmaalDto[];
  @Uuider({ optional: true, description: 'Ids of active indsatsmål to end.' })
  afslutIndsatsmaal?: string[];
  @Liste(() => YdelseDto, { optional: true, description: 'Ydelser to add.' })
  tilfoejYdelser?: YdelseDto[];
  @Liste(() => YdelseDto, {
    optional: true,
    description: 'Ydelse-linjer to replace, by ydelseLinjeId (a slutdato ends one).',
  })
  aendrYdelser?: YdelseDto[];
}

export class BegrundelseDto {
  @Tekst({ description: 'Begrundelse.', example: 'Tilbuddet har ikke en ledig plads.' })
  begrundelse!: string;
}

export class KvitterBestillingDto {
  @Heltal({ description: 'The version of the bestilling the udfører received.', example: 1 })
  version!: number;
}

export class AccepterBestillingDto {
  @Dato({ optional: true, description: 'Expected start of the indsats.', example: '2026-03-15' })
  forventetStartdato?: string | null;
}

export class VumObservationDto {
  @Uuid({ optional: true, description: 'Id of the observation; the hub assigns one when absent.' })
  observationId?: string;
  @Tekst({
    description: "The observation: a deviation from the borger's normal.",
    example: 'Borgeren har holdt sig på værelset hele weekenden.',
  })
  tekst!: string;
  @FfbKoder({ description: 'One or more #VUM-undertemaer of any kategori (R-25).' })
  undertemaer!: string[];
  @Sandhed({ description: "The borger's situation changes so it affects the indsats (T3).", example: true })
  paavirkerIndsatsen!: boolean;
  @Sandhed({
    optional: true,
    description:
      'The observation records that the borger declines or does not take up the indsats (T1); the hub then requires a tilbagemelding. Default false.',
    example: false,
  })
  borgerTagerIkkeImod?: boolean;
  @Tidspunkt({ description: 'When it was observed.', example: '2026-03-01T20:00:00+01:00' })
  observeret!: string;
}

export class StatusPaaIndsatsmaalDto {
  @Uuid({ description: 'The indsatsmål answered.' })
  indsatsmaalId!: string;
  @Tekst({
    description: 'Status on the indsatsmål (prefilled from the delmål konklusioner, edited).',
    example: 'Borgeren deltager nu ugentligt i fællesspisning.',
  })
  statustekst!: string;
}

export class StatusDto {
  @Uuid({ optional: true, description: 'Id of the status; the hub assigns one when absent.' })
  statusId?: string;
  @Liste(() => StatusPaaIndsatsmaalDto, { description: 'One answer per active indsatsmål (R-30).', max: 50 })
  indsatsmaal!: StatusPaaIndsatsmaalDto[];
}

export class ObservationReferenceDto {
  @EnAf(['vum', 'delmaal'], { description: 'VUM-observation or delmålsobservation.' })
  type!: 'vum' | 'delmaal';
  @Uuid({ description: 'The observation.' })
  observationId!: string;
  @Uuid({ optional: true, description: 'The delmål, for a delmålsobservation.' })
  delmaalId?: string;
}

export class TilbagemeldingDto {
  @Uuid({ optional: true, description: 'Id of the tilbagemelding; the hub assigns one when absent.' })
  tilbagemeldingId?: string;
  @EnAf(TILBAGEMELDING_TRIGGERE, {
    description: 'T1 borger tager ikke imod; T2 no development as the måltype expects; T3 situation changed; ANDET.',
  })
  trigger!: (typeof TILBAGEMELDING_TRIGGERE)[number];
  @Tekst({ description: 'The tilbagemelding.', example: 'Borgeren har ikke deltaget de seneste tre uger.' })
  tekst!: string;
  @Uuid({ optional: true, description: 'The indsatsmål concerned.' })
  indsatsmaalId?: string | null;
  @Liste(() => ObservationReferenceDto, {
    optional: true,
    description: `Observations laid before the sagsbehandler; at most ${MAX_OBSERVATIONER_PR_TILBAGEMELDING}.`,
  })
  @ArrayMaxSize(MAX_OBSERVATIONER_PR_TILBAGEMELDING)
  observationer?: ObservationReferenceDto[];
  @Uuid({ optional: true, description: "The hub's tilbagemelding requirement this answers." })
  opfylderKravId?: string | null;
}

export class KvitterTilbagemeldingDto {
  @Tekst({ optional: true, description: 'A remark from the sagsbehandler.' })
  bemaerkning?: string | null;
}

export class FunktionsevneDto {
  @FfbKode({ description: 'An A&D undertema (R-04).', example: EKS.indgaaISamspil })
  undertema!: string;
  @FfbKode({ description: 'Funktionsevneniveau (or Ikke vurderet).', example: EKS.let })
  funktionsevneniveau!: string;
}

export class OpfoelgningDto {
  @Uuid({ optional: true, description: 'Id of the opfølgning; the hub assigns one when absent.' })
  opfoelgningId?: string;
  @Liste(() => FunktionsevneDto, {
    description: 'A level for every undertema an active indsatsmål targets (R-32).',
    max: 67,
  })
  funktionsevne!: FunktionsevneDto[];
  @Tekst({ description: 'Borgerens vurdering.', example: 'Det går bedre.' })
  borgerensVurdering!: string;
  @Tekst({ description: 'Udførers vurdering.', example: 'Stabil fremgang.' })
  udfoerersVurdering!: string;
  @Tekst({ description: 'Sagsbehandlers vurdering.', example: 'Indsatsen fortsætter.' })
  sagsbehandlersVurdering!: string;
  @EnFfbKode({ optional: true, description: 'Støttebehov now (R-10).', example: EKS.moderatStoettebehov })
  stoettebehov?: string | string[];
  @FfbKode({ optional: true, description: 'Status på indsats (R-31).', example: EKS.fortsaettelse })
  statusPaaIndsats?: string | null;
}

export class AfslutIndsatsDto {
  @Dato({ description: 'The last day of the indsats.', example: '2026-09-30' })
  slutdato!: string;
  @Tekst({ description: 'Begrundelse.', example: 'Målene er nået.' })
  begrundelse!: string;
}
