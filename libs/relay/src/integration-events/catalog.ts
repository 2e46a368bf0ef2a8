import type { Part } from '../topics';
import type { Sensitivity } from './integration-event';

/** One public message: its CloudEvents type, its payload schema's name, who receives it and why. */
export interface OutboundMessageDefinition {
  readonly type: string;
  readonly schema: string;
  /**
   * The parties whose topics may carry it. Most messages have one; a tilbagemeldingskrav, its opfyldelse and its
   * bortfald go to both, each on its own topic; a påmindelse to one of the two, its modtager (the summary says which).
   */
  readonly recipients: readonly Part[];
  readonly title: string;
  readonly summary: string;
  readonly sensitivity: readonly Sensitivity[];
}

const m = (
  type: string,
  schema: string,
  recipient: Part | readonly Part[],
  title: string,
  summary: string,
  sensitivity: readonly Sensitivity[] = ['fortrolig'],
): OutboundMessageDefinition => ({
  type,
  schema,
  recipients: typeof recipient === 'string' ? [recipient] : recipient,
  title,
  summary,
  sensitivity,
});

/**
 * Every message the relay publishes (docs/adr/0006 explains each choice). The udfører receives what it must deliver
 * on; the myndighed what it must follow up on. A test keeps this list, the schemas and the mappers in step.
 */
export const OUTBOUND_MESSAGES: readonly OutboundMessageDefinition[] = [
  m(
    'dk.ffb.bestilling.afgivet.v1',
    'BestillingAfgivetV1',
    'udfoerer',
    'Bestilling afgivet',
    'A new bestilling for the tilbud, with the CPR the udfører needs to identify the borger.',
    ['fortrolig-cpr', 'fortrolig'],
  ),
  m(
    'dk.ffb.bestilling.aendret.v1',
    'BestillingAendretV1',
    'udfoerer',
    'Bestilling ændret',
    'A new version of the bestilling.',
  ),
  m(
    'dk.ffb.bestilling.annulleret.v1',
    'BestillingAnnulleretV1',
    'udfoerer',
    'Bestilling annulleret',
    'The myndighed cancelled the bestilling before the udfører answered.',
  ),
  m(
    'dk.ffb.tilbagemelding.kvitteret.v1',
    'TilbagemeldingKvitteretV1',
    'udfoerer',
    'Tilbagemelding kvitteret',
    'The sagsbehandler acknowledged a tilbagemelding.',
  ),
  m(
    'dk.ffb.opfoelgning.gennemfoert.v1',
    'OpfoelgningGennemfoertV1',
    'udfoerer',
    'Opfølgning gennemført',
    'The result of the opfølgning: funktionsevneniveauer, støttebehov and status på indsats.',
  ),
  m(
    'dk.ffb.indsats.afsluttet.v1',
    'IndsatsAfsluttetV1',
    'udfoerer',
    'Indsats afsluttet',
    'The indsats ends; the udfører stops delivering after slutdato.',
  ),
  m(
    'dk.ffb.bestilling.kvitteret.v1',
    'BestillingKvitteretV1',
    'myndighed',
    'Bestilling kvitteret',
    'The udfører received a version of the bestilling.',
  ),
  m(
    'dk.ffb.bestilling.accepteret.v1',
    'BestillingAccepteretV1',
    'myndighed',
    'Bestilling accepteret',
    'The udfører accepted.',
  ),
  m(
    'dk.ffb.bestilling.afvist.v1',
    'BestillingAfvistV1',
    'myndighed',
    'Bestilling afvist',
    'The udfører refused, with a begrundelse.',
  ),
  m(
    'dk.ffb.delmaal.oprettet.v1',
    'DelmaalOprettetV1',
    'myndighed',
    'Delmål oprettet',
    "A delmål under one of the bestilling's indsatsmål.",
  ),
  m(
    'dk.ffb.delmaal.afsluttet.v1',
    'DelmaalAfsluttetV1',
    'myndighed',
    'Delmål afsluttet',
    'A delmål ended, with its konklusion.',
  ),
  m(
    'dk.ffb.vumobservation.delt.v1',
    'VumObservationDeltV1',
    'myndighed',
    'VUM-observation delt',
    'A VUM-observation the udfører flagged as affecting the indsats (T3) or as recording that the borger declines it (T1).',
  ),
  m('dk.ffb.status.sendt.v1', 'StatusSendtV1', 'myndighed', 'Status sendt', 'Status på indsatsmål from the udfører.'),
  m(
    'dk.ffb.tilbagemelding.sendt.v1',
    'TilbagemeldingSendtV1',
    'myndighed',
    'Tilbagemelding sendt',
    'The udfører meets its tilbagemeldingspligt; the referenced observations come in full.',
  ),
  m(
    'dk.ffb.tilbagemeldingspligt.kraevet.v1',
    'TilbagemeldingKraevetV1',
    ['udfoerer', 'myndighed'],
    'Tilbagemelding krævet',
    "The hub's rules require (or recommend) a tilbagemelding from the udfører by a frist, with the rule and the " +
      'events that caused it. To both: the udfører must deliver; the sagsbehandler sees that the duty exists.',
  ),
  m(
    'dk.ffb.tilbagemeldingspligt.opfyldt.v1',
    'TilbagemeldingskravOpfyldtV1',
    ['udfoerer', 'myndighed'],
    'Tilbagemeldingskrav opfyldt',
    "A tilbagemelding met the krav. To both: the duty leaves the udfører's worklist, and the sagsbehandler sees when it was met.",
  ),
  m(
    'dk.ffb.tilbagemeldingspligt.bortfaldet.v1',
    'TilbagemeldingskravBortfaldetV1',
    ['udfoerer', 'myndighed'],
    'Tilbagemeldingskrav bortfaldet',
    'The krav lapsed unmet: the indsats or its indsatsmål ended, or a recommendation (anbefalet) ran out. To both: it ' +
      "leaves the udfører's worklist, and the sagsbehandler sees why it was never met.",
  ),
  m(
    'dk.ffb.paamindelse.sendt.v1',
    'PaamindelseSendtV1',
    ['udfoerer', 'myndighed'],
    'Påmindelse sendt',
    'A reminder, an overdue notice or an escalation, with the rule and the events that caused it. Only to its modtager.',
  ),
  m(
    'dk.ffb.paamindelse.afsluttet.v1',
    'PaamindelseAfsluttetV1',
    ['udfoerer', 'myndighed'],
    'Påmindelse afsluttet',
    'What the påmindelse waited for happened, or its subject ended: it leaves the open items. Only to its modtager.',
  ),
  m(
    'dk.ffb.borger.slettet.v1',
    'BorgerSlettetV1',
    ['udfoerer', 'myndighed'],
    'Borger slettet',
    'The myndighed erased the borger (GDPR art. 17): the hub can no longer read the CPR or any free text about the ' +
      'borger, and the receiver deletes its copies about the listed bestillinger. To every party that received one.',
  ),
];
