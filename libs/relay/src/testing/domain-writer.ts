import { randomUUID } from 'node:crypto';
import {
  bestilling,
  CURRENT_SCHEMA_VERSION,
  delmaal,
  ffbKatalog,
  pligt,
  STANDARD_REGLER,
  toBestillingStreamId,
  toDelmaalStreamId,
  toPligtStreamId,
  type BestillingCommand,
  type BestillingOpslag,
  type DelmaalCommand,
  type DelmaalFindes,
  type PligtCommand,
  type RegelReference,
  bestillingFolding,
  delmaalFolding,
  pligtFolding,
} from '@hub/domain';
import { afgivBestilling, FFB, indsatsmaalInput, kode, opretDelmaal } from '@hub/domain/testing/fixtures';
import { handleCommand, readState, type EventStore } from '@hub/event-store';

/**
 * The domain's write path for relay tests and the relay benchmark, without the app: the real deciders through the
 * real generic write path, so the log holds exactly what the hub would store.
 */
export interface Aktoer {
  readonly party: 'myndighed' | 'udfoerer' | 'hub';
  readonly subject: string;
  readonly kommunekode?: string;
  readonly tilbudId?: string;
}

export const NOW = '2026-04-01T09:00:00.000Z';

export function domainWriter(store: EventStore, now: () => string = () => NOW) {
  const context = () => ({ now: now(), katalog: ffbKatalog, regler: STANDARD_REGLER });
  const commandContext = (actor: Aktoer) => ({
    eventId: () => randomUUID(),
    metadata: () => ({
      schemaVersion: CURRENT_SCHEMA_VERSION,
      occurredAt: now(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: {
        party: actor.party,
        subject: actor.subject,
        ...(actor.kommunekode ? { kommunekode: actor.kommunekode } : {}),
        ...(actor.tilbudId ? { tilbudId: actor.tilbudId } : {}),
      },
      ffbVersion: ffbKatalog.version,
    }),
  });
  return {
    async bestilling(command: BestillingCommand, actor: Aktoer) {
      let opslag: BestillingOpslag | undefined;
      if (command.type === 'SendTilbagemelding') {
        const entries = new Map<string, { bestillingId: string; observationer: readonly string[] }>();
        for (const ref of command.data.observationer ?? []) {
          if (ref.type !== 'delmaal' || !ref.delmaalId) continue;
          const { state } = await readState(store, toDelmaalStreamId(ref.delmaalId), delmaalFolding);
          if (state.fase !== 'ingen') {
            const found = state as DelmaalFindes;
            entries.set(ref.delmaalId, { bestillingId: found.bestillingId, observationer: found.observationer });
          }
        }
        // As the hub's command service: a lapsed krav is left out (nothing meets it); a met one stays, since the
        // bestilling stream itself says which tilbagemelding met it.
        const krav = new Map<string, { bestillingId: string; trigger: string }>();
        const kravId = command.data.opfylderKravId;
        if (kravId) {
          const { state } = await readState(store, toPligtStreamId(command.data.bestillingId), pligtFolding);
          const fundet = state.krav[kravId];
          if (fundet && !fundet.bortfaldet && state.parter)
            krav.set(kravId, { bestillingId: state.parter.bestillingId, trigger: fundet.trigger });
        }
        opslag = { delmaal: entries, krav };
      }
      return handleCommand(
        store,
        toBestillingStreamId(command.data.bestillingId),
        bestillingFolding,
        (state) => bestilling.decide(command, state, context(), opslag),
        commandContext(actor),
      );
    },
    async delmaal(command: DelmaalCommand, actor: Aktoer, bestillingId: string) {
      const best = await readState(store, toBestillingStreamId(bestillingId), bestillingFolding);
      return handleCommand(
        store,
        toDelmaalStreamId(command.data.delmaalId),
        delmaalFolding,
        (state) => delmaal.decide(command, state, context(), best.state),
        commandContext(actor),
      );
    },
    /** A command of the hub's rules, recorded with the rule as actor (`regel:<id>@<version>`), as the rules do. */
    async pligt(command: PligtCommand) {
      return handleCommand(
        store,
        toPligtStreamId(command.data.bestillingId),
        pligtFolding,
        (state) => pligt.decide(command, state, { now: now() }),
        commandContext(regelAktoer(command.data.regel)),
      );
    },
  };
}

export const regelAktoer = (regel: RegelReference): Aktoer => ({
  party: 'hub',
  subject: `regel:${regel.id}@${regel.version}`,
});

export type DomainWriter = ReturnType<typeof domainWriter>;

export interface Indsats {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly maal1: string;
  readonly maal2: string;
}

export const myndighedFor = (kommunekode: string): Aktoer => ({
  party: 'myndighed',
  subject: 'sagsbehandler',
  kommunekode,
});
export const udfoererFor = (tilbudId: string): Aktoer => ({ party: 'udfoerer', subject: 'bosted', tilbudId });

export function nyIndsats(kommunekode = '0101', tilbudId = 'tilbud-4711', borgerId: string = randomUUID()): Indsats {
  return { bestillingId: randomUUID(), borgerId, kommunekode, tilbudId, maal1: randomUUID(), maal2: randomUUID() };
}

/** The afgivelse of an indsats: one ydelse and two indsatsmål (Udvikle: indgå i samspil; lave mad). */
export function afgivelse(indsats: Indsats) {
  return afgivBestilling({
    bestillingId: indsats.bestillingId,
    borgerId: indsats.borgerId,
    kommunekode: indsats.kommunekode,
    tilbudId: indsats.tilbudId,
    ydelser: [
      {
        ydelseLinjeId: randomUUID(),
        ydelse: kode(FFB.stoetteTilSocialeRelationer),
        startdato: '2026-03-15',
        slutdato: '2027-03-14',
      },
    ],
    indsatsmaal: [
      indsatsmaalInput({ indsatsmaalId: indsats.maal1 }),
      indsatsmaalInput({
        indsatsmaalId: indsats.maal2,
        maalformulering: 'Jeg vil kunne lave mad selv tre dage om ugen.',
        undertema: kode(FFB.lavemad),
        relateredeUndertemaer: [kode(FFB.koebeInd)],
      }),
    ],
  });
}

/** Afgiv, kvitter and accepter: a bestilling the udfører works on. */
export async function accepteret(writer: DomainWriter, indsats: Indsats): Promise<void> {
  const { bestillingId, kommunekode, tilbudId } = indsats;
  const command = afgivelse(indsats);
  await writer.bestilling(command, myndighedFor(kommunekode));
  await writer.bestilling({ type: 'KvitterBestilling', data: { bestillingId, version: 1 } }, udfoererFor(tilbudId));
  await writer.bestilling(
    { type: 'AccepterBestilling', data: { bestillingId, forventetStartdato: '2026-03-15' } },
    udfoererFor(tilbudId),
  );
}

/** A whole indsats: every event type the relay maps, public and internal (13 bestilling and 4 delmål events). */
export async function helIndsats(writer: DomainWriter, indsats: Indsats): Promise<void> {
  const { bestillingId, kommunekode, tilbudId } = indsats;
  const udfoerer = udfoererFor(tilbudId);
  const myndighed = myndighedFor(kommunekode);
  await accepteret(writer, indsats);
  const delt = randomUUID();
  const intern = randomUUID();
  for (const [observationId, paavirkerIndsatsen] of [
    [delt, true],
    [intern, false],
  ] as const) {
    await writer.bestilling(
      {
        type: 'RegistrerVumObservation',
        data: {
          bestillingId,
          observationId,
          tekst: 'Borgeren har holdt sig på værelset hele weekenden.',
          undertemaer: [kode(FFB.hukommelse), FFB.indgaaISamspil],
          paavirkerIndsatsen,
          observeret: '2026-03-28T20:00:00+01:00',
        },
      },
      udfoerer,
    );
  }
  const delmaalId = randomUUID();
  await writer.delmaal(opretDelmaal({ delmaalId, bestillingId, indsatsmaalId: indsats.maal1 }), udfoerer, bestillingId);
  const delmaalsobservation = randomUUID();
  await writer.delmaal(
    {
      type: 'RegistrerDelmaalsobservation',
      data: {
        delmaalId,
        observationId: delmaalsobservation,
        observation: 'Deltog i fællesspisning i 20 minutter.',
        refleksion: 'Virkede tryg.',
        score: 2,
        observeret: '2026-03-25T18:30:00+01:00',
      },
    },
    udfoerer,
    bestillingId,
  );
  await writer.delmaal(
    {
      type: 'EvaluerDelmaal',
      data: {
        delmaalId,
        evalueringId: randomUUID(),
        dato: '2026-03-30',
        hvordanGaarDet: 'Møder op hver uge.',
        virkningForBorgeren: 'Mindre angst ved måltider.',
        borgerensOplevelse: 'Det er hyggeligt.',
        refleksionerOverMetoder: 'Low arousal virker.',
        giverAnledningTilAendringer: false,
        udvikling: 'fremgang',
        konklusion: 'Delmålet er på vej til at blive nået.',
      },
    },
    udfoerer,
    bestillingId,
  );
  await writer.bestilling(
    {
      type: 'SendStatus',
      data: {
        bestillingId,
        statusId: randomUUID(),
        indsatsmaal: [
          { indsatsmaalId: indsats.maal1, statustekst: 'Deltager ugentligt i fællesspisning.' },
          { indsatsmaalId: indsats.maal2, statustekst: 'Laver mad med støtte.' },
        ],
      },
    },
    udfoerer,
  );
  const tilbagemeldingId = randomUUID();
  await writer.bestilling(
    {
      type: 'SendTilbagemelding',
      data: {
        bestillingId,
        tilbagemeldingId,
        trigger: 'T3',
        tekst: 'Situationen påvirker indsatsen.',
        observationer: [
          { type: 'vum', observationId: intern },
          { type: 'delmaal', observationId: delmaalsobservation, delmaalId },
        ],
      },
    },
    udfoerer,
  );
  await writer.bestilling(
    { type: 'KvitterTilbagemelding', data: { bestillingId, tilbagemeldingId, bemaerkning: 'Tak.' } },
    myndighed,
  );
  await writer.bestilling(
    {
      type: 'GennemfoerOpfoelgning',
      data: {
        bestillingId,
        opfoelgningId: randomUUID(),
        funktionsevne: [
          { undertema: FFB.indgaaISamspil, funktionsevneniveau: FFB.niveau1 },
          { undertema: kode(FFB.lavemad), funktionsevneniveau: FFB.niveau2 },
        ],
        borgerensVurdering: 'Det går bedre.',
        udfoerersVurdering: 'Stabil fremgang.',
        sagsbehandlersVurdering: 'Indsatsen fortsætter.',
        stoettebehov: FFB.letStoettebehov,
        statusPaaIndsats: FFB.fortsaettelse,
      },
    },
    myndighed,
  );
  await writer.bestilling(
    {
      type: 'AendrBestilling',
      data: { bestillingId, begrundelse: 'Opfølgningen viste et nyt behov.', indsatsformaal: 'Nyt formål.' },
    },
    myndighed,
  );
  await writer.delmaal(
    { type: 'AfslutDelmaal', data: { delmaalId, maalopfyldelse: 'opnaaet', konklusion: 'Deltager nu fast.' } },
    udfoerer,
    bestillingId,
  );
  await writer.bestilling(
    { type: 'AfslutIndsats', data: { bestillingId, slutdato: '2026-09-30', begrundelse: 'Målene er nået.' } },
    myndighed,
  );
}

/** Afgiv, then annuller before the udfører answers; and afgiv, kvitter, afvis. */
export async function annulleretOgAfvist(writer: DomainWriter, a: Indsats, b: Indsats): Promise<void> {
  for (const indsats of [a, b]) {
    await writer.bestilling(
      afgivBestilling({
        bestillingId: indsats.bestillingId,
        borgerId: indsats.borgerId,
        kommunekode: indsats.kommunekode,
        tilbudId: indsats.tilbudId,
        indsatsmaal: [indsatsmaalInput({ indsatsmaalId: indsats.maal1 })],
      }),
      myndighedFor(indsats.kommunekode),
    );
  }
  await writer.bestilling(
    { type: 'AnnullerBestilling', data: { bestillingId: a.bestillingId, begrundelse: 'Borgeren er flyttet.' } },
    myndighedFor(a.kommunekode),
  );
  await writer.bestilling(
    { type: 'KvitterBestilling', data: { bestillingId: b.bestillingId, version: 1 } },
    udfoererFor(b.tilbudId),
  );
  await writer.bestilling(
    { type: 'AfvisBestilling', data: { bestillingId: b.bestillingId, begrundelse: 'Ingen ledig plads.' } },
    udfoererFor(b.tilbudId),
  );
}

/** What {@link tilbagemeldingspligt} recorded, for assertions. */
export interface PligtForloeb {
  readonly observationId: string;
  readonly kravId: string;
  readonly tilbagemeldingId: string;
  /** To the udfører: the krav's frist passed. */
  readonly paamindelseTilUdfoerer: string;
  /** To the myndighed: the tilbagemelding is not kvitteret. */
  readonly paamindelseTilMyndighed: string;
  /** A VUM-observation that affects the indsats (T3). */
  readonly t3ObservationId: string;
  /** The T3 recommendation it raised, which lapsed unmet when its frist passed. */
  readonly bortfaldetKravId: string;
}

const REGEL_T1 = { id: 'T1-TAGER-IKKE-IMOD', version: 1 };
const REGEL_KRAV_FRIST = { id: 'FRIST-TILBAGEMELDINGSKRAV', version: 2 };
const REGEL_KVITTERING = { id: 'FRIST-KVITTERING', version: 1 };
const REGEL_T3 = { id: 'T3-SITUATION-AENDRET', version: 1 };
const REGEL_BORTFALD = { id: 'KRAV-BORTFALD', version: 1 };

/**
 * T1 on an accepted indsats, as the hub's rules would record it: a VUM-observation that the borger declines, the krav
 * it raises (to both parties), an overdue notice to the udfører, the tilbagemelding that meets the krav and closes the
 * notice, then a reminder to the myndighed to kvittere, closed by its kvittering; then a VUM-observation that affects
 * the indsats raises a T3 recommendation, which lapses unmet when its frist passes. Every event of the
 * tilbagemeldingspligt stream the relay maps: 4 krav events (2 krævet, 1 opfyldt, 1 bortfaldet), 2 påmindelser sent
 * and 2 afsluttet.
 */
export async function tilbagemeldingspligt(writer: DomainWriter, indsats: Indsats): Promise<PligtForloeb> {
  const { bestillingId, kommunekode, tilbudId, borgerId } = indsats;
  const parter = { bestillingId, kommunekode, tilbudId };
  const udfoerer = udfoererFor(tilbudId);
  const first = (result: { eventIds: readonly string[] }): string => {
    const [id] = result.eventIds;
    if (!id) throw new Error('the command recorded nothing');
    return id;
  };

  const observationId = randomUUID();
  const observation = await writer.bestilling(
    {
      type: 'RegistrerVumObservation',
      data: {
        bestillingId,
        observationId,
        tekst: 'Borgeren siger nej tak til fællesspisningen og vil ikke have besøg.',
        undertemaer: [FFB.indgaaISamspil],
        paavirkerIndsatsen: false,
        borgerTagerIkkeImod: true,
        observeret: '2026-03-29T12:00:00+02:00',
      },
    },
    udfoerer,
  );
  const kravId = randomUUID();
  const krav = await writer.pligt({
    type: 'KraevTilbagemelding',
    data: {
      ...parter,
      regel: REGEL_T1,
      aarsager: [first(observation)],
      kravId,
      borgerId,
      trigger: 'T1',
      niveau: 'paakraevet',
      indsatsmaalId: indsats.maal1,
      delmaalId: null,
      begrundelse: 'En observation registrerer, at borgeren ikke tager imod indsatsen.',
      frist: '2026-04-12',
    },
  });
  const paamindelseTilUdfoerer = randomUUID();
  await writer.pligt({
    type: 'SendPaamindelse',
    data: {
      ...parter,
      regel: REGEL_KRAV_FRIST,
      aarsager: [first(krav)],
      paamindelseId: paamindelseTilUdfoerer,
      art: 'tilbagemeldingskrav_overskredet',
      modtager: 'udfoerer',
      alvor: 'overskredet',
      emne: { kravId, indsatsmaalId: indsats.maal1, dato: '2026-04-12' },
      tekst: 'Fristen for tilbagemeldingen om, at borgeren ikke tager imod indsatsen, er overskredet.',
      forfald: '2026-04-12T22:00:00.000Z',
    },
  });
  const tilbagemeldingId = randomUUID();
  const sendt = await writer.bestilling(
    {
      type: 'SendTilbagemelding',
      data: {
        bestillingId,
        tilbagemeldingId,
        trigger: 'T1',
        tekst: 'Borgeren tager ikke imod indsatsen.',
        indsatsmaalId: indsats.maal1,
        opfylderKravId: kravId,
        observationer: [{ type: 'vum', observationId }],
      },
    },
    udfoerer,
  );
  await writer.pligt({
    type: 'RegistrerKravOpfyldt',
    data: { bestillingId, regel: REGEL_T1, aarsager: [first(sendt)], kravId, tilbagemeldingId },
  });
  await writer.pligt({
    type: 'AfslutPaamindelse',
    data: { bestillingId, regel: REGEL_KRAV_FRIST, aarsager: [first(sendt)], paamindelseId: paamindelseTilUdfoerer },
  });
  const paamindelseTilMyndighed = randomUUID();
  await writer.pligt({
    type: 'SendPaamindelse',
    data: {
      ...parter,
      regel: REGEL_KVITTERING,
      aarsager: [first(sendt)],
      paamindelseId: paamindelseTilMyndighed,
      art: 'tilbagemelding_ikke_kvitteret',
      modtager: 'myndighed',
      alvor: 'paamindelse',
      emne: { tilbagemeldingId },
      tekst: 'En tilbagemelding venter på kvittering.',
      forfald: '2026-04-15T22:00:00.000Z',
    },
  });
  const kvitteret = await writer.bestilling(
    { type: 'KvitterTilbagemelding', data: { bestillingId, tilbagemeldingId, bemaerkning: null } },
    myndighedFor(kommunekode),
  );
  await writer.pligt({
    type: 'AfslutPaamindelse',
    data: {
      bestillingId,
      regel: REGEL_KVITTERING,
      aarsager: [first(kvitteret)],
      paamindelseId: paamindelseTilMyndighed,
    },
  });
  const t3ObservationId = randomUUID();
  const t3Observation = await writer.bestilling(
    {
      type: 'RegistrerVumObservation',
      data: {
        bestillingId,
        observationId: t3ObservationId,
        tekst: 'Borgeren er flyttet til en anden afdeling.',
        undertemaer: [FFB.indgaaISamspil],
        paavirkerIndsatsen: true,
        observeret: '2026-03-31T10:00:00+02:00',
      },
    },
    udfoerer,
  );
  const bortfaldetKravId = randomUUID();
  const t3Krav = await writer.pligt({
    type: 'KraevTilbagemelding',
    data: {
      ...parter,
      regel: REGEL_T3,
      aarsager: [first(t3Observation)],
      kravId: bortfaldetKravId,
      borgerId,
      trigger: 'T3',
      niveau: 'anbefalet',
      indsatsmaalId: null,
      delmaalId: null,
      begrundelse: 'En observation registrerer en ændring, der påvirker indsatsen.',
      frist: '2026-04-14',
    },
  });
  await writer.pligt({
    type: 'LadKravBortfalde',
    data: {
      bestillingId,
      regel: REGEL_BORTFALD,
      aarsager: [first(t3Krav)],
      kravId: bortfaldetKravId,
      aarsag: 'anbefaling_udloebet',
    },
  });
  return {
    observationId,
    kravId,
    tilbagemeldingId,
    paamindelseTilUdfoerer,
    paamindelseTilMyndighed,
    t3ObservationId,
    bortfaldetKravId,
  };
}
