/**
 * JSON Schemas of the public integration events, version 1 (the AsyncAPI document's components.schemas). A contract
 * test validates every mapper's output against them with `additionalProperties: false`, so mappers and schemas cannot
 * drift apart.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const text = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
const uuid = (description?: string): JsonSchema => ({ ...text(description), format: 'uuid' });
const date = (description?: string): JsonSchema => ({ ...text(description), format: 'date' });
const instant = (description?: string): JsonSchema => ({ ...text(description), format: 'date-time' });
const orNull = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
const list = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
/**
 * Every property is required, except `added`: properties added to a published v1 schema later. A message always
 * carries them, but a message published before them did not, and must still validate (additive changes only).
 */
const object = (
  description: string,
  properties: Record<string, JsonSchema>,
  added: Record<string, JsonSchema> = {},
): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: false,
  required: Object.keys(properties),
  properties: { ...properties, ...added },
});

const borgerId = uuid("The hub's pseudonymous id of the borger; the same in every message about the borger.");
const bestillingId = uuid('The bestilling (indsats); also ce_subject and the Kafka key.');
const tilbudId = text('The tilbud the bestilling is addressed to.');
const kommunekode = { type: 'string', pattern: '^[0-9]{4}$', description: 'The kommune that made the bestilling.' };
const borgerTagerIkkeImod = {
  type: 'boolean',
  description:
    'The observation records that the borger declines the indsats (tilbagemeldingspligt T1). Added to v1 later: ' +
    'always sent now, absent in messages published before.',
};
const regel = ref('RegelV1');
const aarsager = list(
  uuid(
    'A stored event that made the rule fire: the ce_id of the message it gave, if it gave one (some are internal ' +
      'and were never published, e.g. a delmålsevaluering).',
  ),
);
const modtager = {
  enum: ['udfoerer', 'myndighed'],
  description: "The påmindelse's recipient: the party this topic is for.",
};

export const SHARED_SCHEMAS: Record<string, JsonSchema> = {
  Kode: object("An FFB code: UUID from KL's CodeSystem urn:oid:1.2.208.176.2.22, its display and the version.", {
    code: text("Code (UUID, or the catalog's code)"),
    display: text(),
    version: text('CodeSystem version'),
  }),
  IndsatsmaalV1: object('Indsatsmål: a structured goal set by the myndighed.', {
    indsatsmaalId: uuid(),
    nummer: { type: 'integer', minimum: 1 },
    maalformulering: text(),
    maaltype: ref('Kode'),
    undertema: ref('Kode'),
    aktueltFunktionsevneniveau: ref('Kode'),
    forventetFunktionsevneniveau: ref('Kode'),
    opfoelgningsdato: date(),
    ansvarligForOpfoelgning: text(),
    relateredeUndertemaer: list(ref('Kode')),
  }),
  YdelseV1: object('A ydelse with its own period.', {
    ydelseLinjeId: uuid(),
    ydelse: ref('Kode'),
    startdato: date(),
    slutdato: orNull(date('Absent end: open-ended')),
  }),
  DeltObservationV1: {
    description: 'An observation laid before the sagsbehandler: a VUM-observation or a delmålsobservation.',
    oneOf: [
      object(
        'VUM-observation',
        {
          type: { const: 'vum' },
          observationId: uuid(),
          tekst: text(),
          undertemaer: list(ref('Kode')),
          paavirkerIndsatsen: { type: 'boolean' },
          observeret: instant(),
        },
        { borgerTagerIkkeImod },
      ),
      object('Delmålsobservation', {
        type: { const: 'delmaal' },
        observationId: uuid(),
        delmaalId: uuid(),
        observation: text(),
        refleksion: orNull(text()),
        score: orNull({ type: 'integer', minimum: 0, maximum: 4 }),
        observeret: instant(),
      }),
    ],
  },
  RegelV1: object("The hub's rule, and the version of it, that recorded this: why the message exists.", {
    id: text('The rule id'),
    version: { type: 'integer', minimum: 1 },
  }),
  PaamindelseEmneV1: object('What the påmindelse is about; the art says which fields are set, the others are null.', {
    version: orNull({ type: 'integer', minimum: 1, description: 'A version of the bestilling' }),
    indsatsmaalId: orNull(uuid()),
    delmaalId: orNull(uuid()),
    tilbagemeldingId: orNull(uuid()),
    kravId: orNull(uuid()),
    dato: orNull(date('The date it is about: an opfølgningsdato, evalueringsdato, slutdato or frist')),
  }),
};

export const PAYLOAD_SCHEMAS: Record<string, JsonSchema> = {
  BestillingAfgivetV1: object('A bestilling for the udfører, with the CPR it needs to identify the borger.', {
    bestillingId,
    borgerId,
    cpr: orNull({
      type: 'string',
      pattern: '^[0-9]{10}$',
      description:
        'CPR-nummer from the PII vault; null when the borger has been erased. Sensitive: ce_ffbsensitivity is fortrolig-cpr.',
    }),
    kommunekode: { type: 'string', pattern: '^[0-9]{4}$' },
    tilbudId,
    version: { const: 1 },
    afgivet: instant(),
    tilbudstype: ref('Kode'),
    lovgrundlag: list(text()),
    ydelser: list(ref('YdelseV1')),
    primaerMaalgruppe: ref('Kode'),
    oevrigeMaalgrupper: list(ref('Kode')),
    stoettebehov: ref('Kode'),
    borgerensOensker: text("In the borger's own words"),
    indsatsformaal: text(),
    indsatsmaal: list(ref('IndsatsmaalV1')),
  }),
  BestillingAendretV1: object('A new version of the bestilling: indsatsmål and ydelser added, changed or ended.', {
    bestillingId,
    borgerId,
    version: { type: 'integer', minimum: 2 },
    aendret: instant(),
    begrundelse: text(),
    indsatsformaal: orNull(text('A new indsatsformål; null when unchanged')),
    stoettebehov: orNull(ref('Kode')),
    tilfoejedeIndsatsmaal: list(ref('IndsatsmaalV1')),
    aendredeIndsatsmaal: list(ref('IndsatsmaalV1')),
    afsluttedeIndsatsmaal: list(uuid()),
    tilfoejedeYdelser: list(ref('YdelseV1')),
    aendredeYdelser: list(ref('YdelseV1')),
  }),
  BestillingAnnulleretV1: object('The myndighed cancelled the bestilling before the udfører answered.', {
    bestillingId,
    borgerId,
    annulleret: instant(),
    begrundelse: text(),
  }),
  BestillingKvitteretV1: object('The udfører confirmed it received a version of the bestilling.', {
    bestillingId,
    borgerId,
    tilbudId,
    version: { type: 'integer', minimum: 1 },
    kvitteret: instant(),
  }),
  BestillingAccepteretV1: object('The udfører accepted the bestilling.', {
    bestillingId,
    borgerId,
    tilbudId,
    accepteret: instant(),
    forventetStartdato: orNull(date()),
  }),
  BestillingAfvistV1: object('The udfører refused the bestilling.', {
    bestillingId,
    borgerId,
    tilbudId,
    afvist: instant(),
    begrundelse: text(),
  }),
  VumObservationDeltV1: object(
    'A VUM-observation that affects the indsats (tilbagemeldingspligt T3) or records that the borger declines it (T1).',
    {
      bestillingId,
      borgerId,
      tilbudId,
      observationId: uuid(),
      tekst: text(),
      undertemaer: list(ref('Kode')),
      paavirkerIndsatsen: { type: 'boolean' },
      observeret: instant(),
      registreret: instant(),
    },
    { borgerTagerIkkeImod },
  ),
  StatusSendtV1: object('Status på indsatsmål: one answer per active indsatsmål.', {
    bestillingId,
    borgerId,
    tilbudId,
    statusId: uuid(),
    indsatsmaal: list(object('Status on one indsatsmål', { indsatsmaalId: uuid(), statustekst: text() })),
    sendt: instant(),
  }),
  TilbagemeldingSendtV1: object('A tilbagemelding with the observations it references, in full.', {
    bestillingId,
    borgerId,
    tilbudId,
    tilbagemeldingId: uuid(),
    trigger: { enum: ['T1', 'T2', 'T3', 'ANDET'] },
    tekst: text(),
    indsatsmaalId: orNull(uuid()),
    opfylderKravId: orNull(uuid()),
    observationer: list(ref('DeltObservationV1')),
    sendt: instant(),
  }),
  TilbagemeldingKvitteretV1: object('The myndighed acknowledged a tilbagemelding.', {
    bestillingId,
    borgerId,
    tilbagemeldingId: uuid(),
    kvitteret: instant(),
    bemaerkning: orNull(text()),
  }),
  OpfoelgningGennemfoertV1: object("The result of the myndighed's opfølgning that the udfører acts on.", {
    bestillingId,
    borgerId,
    opfoelgningId: uuid(),
    gennemfoert: instant(),
    funktionsevne: list(
      object('Funktionsevneniveau of one undertema', {
        undertema: ref('Kode'),
        funktionsevneniveau: ref('Kode'),
      }),
    ),
    stoettebehov: ref('Kode'),
    statusPaaIndsats: ref('Kode'),
  }),
  IndsatsAfsluttetV1: object('The myndighed ended the indsats; the udfører stops delivering after slutdato.', {
    bestillingId,
    borgerId,
    afsluttet: instant(),
    slutdato: date(),
    begrundelse: text(),
  }),
  DelmaalOprettetV1: object('A delmål the udfører set with the borger under an indsatsmål.', {
    bestillingId,
    borgerId,
    tilbudId,
    delmaalId: uuid(),
    indsatsmaalId: uuid(),
    navn: text('The full SMART delmål'),
    startdato: date(),
    evalueringsdato: orNull(date()),
    slutdato: date(),
    ansvarlig: text(),
    oprettet: instant(),
  }),
  DelmaalAfsluttetV1: object('A delmål ended, with its målopfyldelse and konklusion.', {
    bestillingId,
    borgerId,
    tilbudId,
    delmaalId: uuid(),
    afsluttet: instant(),
    maalopfyldelse: { enum: ['opnaaet', 'delvist_opnaaet', 'ikke_opnaaet'] },
    konklusion: text(),
  }),
  TilbagemeldingKraevetV1: object(
    "The hub's rules require (paakraevet) or recommend (anbefalet) a tilbagemelding from the udfører by the frist; " +
      'a tilbagemelding meets it by naming the kravId as opfylderKravId.',
    {
      bestillingId,
      borgerId,
      kommunekode,
      tilbudId,
      kravId: uuid(),
      trigger: { enum: ['T1', 'T2', 'T3'], description: 'reference.md §4.1' },
      niveau: { enum: ['paakraevet', 'anbefalet'] },
      indsatsmaalId: orNull(uuid()),
      delmaalId: orNull(uuid()),
      begrundelse: text("Why, in Danish, generated by the rule from what it saw; never the borger's own data"),
      frist: date('The tilbagemelding is expected by this date'),
      kraevet: instant(),
      regel,
      aarsager,
    },
  ),
  TilbagemeldingskravOpfyldtV1: object('A tilbagemelding that names the krav was sent: the duty is met.', {
    bestillingId,
    borgerId,
    kommunekode,
    tilbudId,
    kravId: uuid(),
    tilbagemeldingId: uuid(),
    opfyldt: instant(),
    regel,
    aarsager,
  }),
  TilbagemeldingskravBortfaldetV1: object(
    'The krav lapsed unmet: nothing can meet it any more, or a recommendation ran out. It is neither open nor met.',
    {
      bestillingId,
      borgerId,
      kommunekode,
      tilbudId,
      kravId: uuid(),
      aarsag: {
        enum: ['indsats_afsluttet', 'indsatsmaal_afsluttet', 'anbefaling_udloebet'],
        description:
          'indsats_afsluttet: the indsats ended; indsatsmaal_afsluttet: the indsatsmål the krav is about ended; ' +
          'anbefaling_udloebet: a recommended (anbefalet) tilbagemelding was not sent by its frist',
      },
      bortfaldet: instant(),
      regel,
      aarsager,
    },
  ),
  PaamindelseSendtV1: object('A påmindelse, an overdue notice or an escalation, to the party that must act.', {
    bestillingId,
    borgerId,
    kommunekode,
    tilbudId,
    paamindelseId: uuid(),
    art: {
      enum: [
        'bestilling_ikke_kvitteret',
        'status_til_opfoelgning',
        'opfoelgning_naermer_sig',
        'opfoelgning_overskredet',
        'delmaal_udokumenteret',
        'delmaal_evaluering_overskredet',
        'delmaal_slutdato_overskredet',
        'tilbagemelding_ikke_kvitteret',
        'tilbagemeldingskrav_overskredet',
      ],
      description: 'What it is about',
    },
    modtager,
    alvor: {
      enum: ['paamindelse', 'overskredet', 'eskalering'],
      description:
        'paamindelse: at or before a deadline; overskredet: it passed; eskalering: raised to the other party',
    },
    emne: ref('PaamindelseEmneV1'),
    tekst: text('Danish text for the worklist, generated by the rule'),
    forfald: instant('When the deadline behind it fell due'),
    sendt: instant(),
    regel,
    aarsager,
  }),
  BorgerSlettetV1: object(
    'The borger was erased. Delete what you keep about these bestillinger; the hub will only ever show [slettet].',
    {
      borgerId,
      bestillingIds: list(uuid('A bestilling of the borger this party received')),
      slettet: instant('When the myndighed erased the borger'),
    },
  ),
  PaamindelseAfsluttetV1: object('What the påmindelse waited for happened (or its subject ended): it is closed.', {
    bestillingId,
    borgerId,
    kommunekode,
    tilbudId,
    paamindelseId: uuid(),
    modtager,
    afsluttet: instant(),
    regel,
    aarsager,
  }),
};
