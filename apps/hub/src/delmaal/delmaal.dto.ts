import { MAALOPFYLDELSE, UDVIKLING } from '@hub/domain';
import { Dato, EnAf, Heltal, Objekt, Sandhed, Tekst, Tidspunkt, Uuid } from '../http/dto-decorators';

export class DelmaalsplanDto {
  @Tekst({ description: 'Formålet med delmålet.', example: 'At borgeren øver kontakt i en tryg ramme.' })
  formaal!: string;
  @Tekst({ description: 'Borgerens motivation.', example: 'Vil gerne have venner.' })
  borgerensMotivation!: string;
  @Tekst({ description: 'Ressourcer og udfordringer.', example: 'God humor; angst i større grupper.' })
  ressourcerOgUdfordringer!: string;
  @Tekst({ description: 'Borgerens indsats.', example: 'Møder op torsdage.' })
  borgerensIndsats!: string;
  @Tekst({ description: 'Medarbejdernes indsats og metode.', example: 'Kontaktperson følger; low arousal.' })
  medarbejdernesIndsatsOgMetode!: string;
}

export class OpretDelmaalDto {
  @Uuid({ optional: true, description: 'Id of the delmål; the hub assigns one when absent.' })
  delmaalId?: string;
  @Uuid({ description: 'The active indsatsmål the delmål belongs to (R-20).' })
  indsatsmaalId!: string;
  @Tekst({ description: 'Delmålsnavn: the full SMART delmål.', example: 'Deltage i fællesspisning en gang om ugen' })
  navn!: string;
  @Objekt(() => DelmaalsplanDto, { description: 'Delmålsplan.' })
  delmaalsplan!: DelmaalsplanDto;
  @Dato({ description: 'Startdato.', example: '2026-03-20' })
  startdato!: string;
  @Dato({ optional: true, description: 'Evalueringsdato.', example: '2026-06-01' })
  evalueringsdato?: string | null;
  @Dato({ optional: true, description: 'Slutdato (R-23: required for an active delmål).', example: '2026-08-31' })
  slutdato!: string;
  @Tekst({ description: 'Ansvarlig afdeling or medarbejder.', example: 'Team Nord' })
  ansvarlig!: string;
}

export class DelmaalsobservationDto {
  @Uuid({ optional: true, description: 'Id of the observation; the hub assigns one when absent.' })
  observationId?: string;
  @Tekst({ description: 'What was observed.', example: 'Deltog i fællesspisning i 20 minutter.' })
  observation!: string;
  @Tekst({
    optional: true,
    description: 'Faglig refleksion, kept apart from the observation.',
    example: 'Virkede tryg med kontaktpersonen ved siden af.',
  })
  refleksion?: string | null;
  @Heltal({ optional: true, description: 'Støttebehov score 0–4 where the tilbud scores (R-28).', example: 2 })
  score?: number | null;
  @Tidspunkt({ description: 'When it was observed.', example: '2026-03-01T18:30:00+01:00' })
  observeret!: string;
}

export class EvaluerDelmaalDto {
  @Uuid({ optional: true, description: 'Id of the evaluering; the hub assigns one when absent.' })
  evalueringId?: string;
  @Dato({ description: 'Dato for evaluering.', example: '2026-06-01' })
  dato!: string;
  @Tekst({ description: 'Hvordan det går med at nå delmålet.', example: 'Møder op hver uge.' })
  hvordanGaarDet!: string;
  @Tekst({ description: 'Virkning for borgeren.', example: 'Mindre angst ved måltider.' })
  virkningForBorgeren!: string;
  @Tekst({ description: 'Borgerens oplevelse/perspektiv.', example: 'Det er hyggeligt.' })
  borgerensOplevelse!: string;
  @Tekst({ description: 'Refleksioner over metoder/fremgangsmåde.', example: 'Low arousal virker.' })
  refleksionerOverMetoder!: string;
  @Sandhed({ description: 'Om evalueringen giver anledning til ændringer.', example: false })
  giverAnledningTilAendringer!: boolean;
  @EnAf(UDVIKLING, { description: 'The movement the evaluering concludes.', example: 'fremgang' })
  udvikling!: (typeof UDVIKLING)[number];
  @Tekst({ description: 'Konklusion; flies into the status draft.', example: 'Delmålet er på vej til at blive nået.' })
  konklusion!: string;
}

export class AfslutDelmaalDto {
  @EnAf(MAALOPFYLDELSE, { description: 'Målopfyldelse.', example: 'opnaaet' })
  maalopfyldelse!: (typeof MAALOPFYLDELSE)[number];
  @Tekst({ description: 'Konklusion.', example: 'Borgeren deltager nu fast.' })
  konklusion!: string;
}
