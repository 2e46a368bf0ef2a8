import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError, ffbKatalog, STANDARD_REGLER, type Regelkonfiguration } from '@hub/domain';
import { afgivBestilling, FFB, IDS, indsatsmaalInput, kode, opretDelmaal } from '@hub/domain/testing/fixtures';
import { openSqliteEventStore, WrongExpectedRevisionError, type EventStore } from '@hub/event-store';
import { CommandService, type CommandMeta, type HubCommand } from './command-service';

const b = IDS.bestilling;
const myndighed: CommandMeta = {
  actor: { party: 'myndighed', subject: 'sagsbehandler-1', kommunekode: '0101' },
  correlationId: randomUUID(),
};
const udfoerer: CommandMeta = {
  actor: { party: 'udfoerer', subject: 'bosted', tilbudId: 'tilbud-4711' },
  correlationId: randomUUID(),
};

const kvitter: HubCommand = { type: 'KvitterBestilling', data: { bestillingId: b, version: 1 } };
const accepter: HubCommand = { type: 'AccepterBestilling', data: { bestillingId: b } };
const vumObservation = (undertemaer: string[]): HubCommand => ({
  type: 'RegistrerVumObservation',
  data: {
    bestillingId: b,
    observationId: IDS.observation1,
    tekst: 'Afviger fra det normale.',
    undertemaer,
    paavirkerIndsatsen: true,
    observeret: '2026-03-01T08:00:00Z',
  },
});
const opfoelgning = (overrides: Record<string, unknown> = {}): HubCommand => ({
  type: 'GennemfoerOpfoelgning',
  data: {
    bestillingId: b,
    opfoelgningId: IDS.opfoelgning,
    funktionsevne: [
      { undertema: FFB.indgaaISamspil, funktionsevneniveau: FFB.niveau1 },
      { undertema: kode(FFB.lavemad), funktionsevneniveau: FFB.niveau2 },
    ],
    borgerensVurdering: 'Bedre.',
    udfoerersVurdering: 'Stabil fremgang.',
    sagsbehandlersVurdering: 'Fortsæt.',
    stoettebehov: FFB.letStoettebehov,
    statusPaaIndsats: FFB.fortsaettelse,
    ...overrides,
  },
});

describe('CommandService on the SQLite event store', () => {
  let dir: string;
  let store: EventStore;
  let service: CommandService;
  let regler: Regelkonfiguration;
  let clock: Date;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'command-service-'));
    store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    regler = STANDARD_REGLER;
    clock = new Date('2026-03-01T09:00:00Z');
    service = new CommandService({
      store,
      katalog: ffbKatalog,
      clock: () => clock,
      newId: randomUUID,
      regler: () => regler,
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (...steps: [HubCommand, CommandMeta][]) => {
    for (const [command, meta] of steps) await service.handle(command, meta);
  };
  const accepteret = () => run([afgivBestilling(), myndighed], [kvitter, udfoerer], [accepter, udfoerer]);

  it('drives a bestilling from afgivelse to afslutning and stores each event with its metadata', async () => {
    await accepteret();
    await run([opretDelmaal(), udfoerer]);
    await run([
      {
        type: 'RegistrerDelmaalsobservation',
        data: {
          delmaalId: IDS.delmaal1,
          observationId: IDS.observation2,
          observation: 'Deltog.',
          observeret: '2026-03-01T08:00:00Z',
        },
      },
      udfoerer,
    ]);
    await run([vumObservation([kode(FFB.hukommelse)]), udfoerer]);
    await run([
      {
        type: 'SendTilbagemelding',
        data: {
          bestillingId: b,
          tilbagemeldingId: IDS.tilbagemelding,
          trigger: 'T3',
          tekst: 'Situationen påvirker indsatsen.',
          observationer: [
            { type: 'vum', observationId: IDS.observation1 },
            { type: 'delmaal', observationId: IDS.observation2, delmaalId: IDS.delmaal1 },
          ],
        },
      },
      udfoerer,
    ]);
    await run([
      { type: 'KvitterTilbagemelding', data: { bestillingId: b, tilbagemeldingId: IDS.tilbagemelding } },
      myndighed,
    ]);
    await run([opfoelgning(), myndighed]);
    const last = await service.handle(
      { type: 'AfslutIndsats', data: { bestillingId: b, slutdato: '2026-09-30', begrundelse: 'Målene er nået.' } },
      myndighed,
    );
    expect(last.revision).toBe(7);

    const stream = await store.readStream(`bestilling-${b}`);
    expect(stream.map((e) => e.type)).toEqual([
      'BestillingAfgivet',
      'BestillingKvitteret',
      'BestillingAccepteret',
      'VumObservationRegistreret',
      'TilbagemeldingSendt',
      'TilbagemeldingKvitteret',
      'OpfoelgningGennemfoert',
      'IndsatsAfsluttet',
    ]);
    expect(stream.map((e) => e.metadata.actor.party)).toEqual([
      'myndighed',
      'udfoerer',
      'udfoerer',
      'udfoerer',
      'udfoerer',
      'myndighed',
      'myndighed',
      'myndighed',
    ]);
    expect(stream[0]?.metadata).toMatchObject({
      schemaVersion: 1,
      occurredAt: '2026-03-01T09:00:00.000Z',
      ffbVersion: ffbKatalog.version,
      actor: { kommunekode: '0101' },
    });
    const delmaalStream = await store.readStream(`delmaal-${IDS.delmaal1}`);
    expect(delmaalStream.map((e) => e.type)).toEqual(['DelmaalOprettet', 'DelmaalsobservationRegistreret']);
    expect(await store.headPosition()).toBe(10);
  });

  it('returns warnings from Warn rules with the 2xx outcome and records them on the event', async () => {
    const outcome = await service.handle(
      afgivBestilling({ tilbudstype: kode(FFB.midlertidigtBotilbud), lovgrundlag: ['SEL-107'] }),
      myndighed,
    );
    expect(outcome.advarsler.map((a) => a.code)).toEqual(['R-16']);
    const [event] = await store.readStream(`bestilling-${b}`);
    expect((event?.data as { advarsler: unknown[] }).advarsler).toHaveLength(1);
  });

  it('applies the kommune configuration: R-16 configured to reject', async () => {
    regler = { ...STANDARD_REGLER, afvisAdvarsler: ['R-16'] };
    await expect(
      service.handle(
        afgivBestilling({ tilbudstype: kode(FFB.midlertidigtBotilbud), lovgrundlag: ['SEL-107'] }),
        myndighed,
      ),
    ).rejects.toMatchObject({ code: 'R-16' });
    expect(await store.headPosition()).toBe(0);
  });

  it('If-Match: a write conditional on a stale revision fails with the concurrency error and writes nothing', async () => {
    await run([afgivBestilling(), myndighed], [kvitter, udfoerer]);
    await expect(service.handle(accepter, { ...udfoerer, expectedRevision: 0 })).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    expect(await store.headPosition()).toBe(2);
  });

  type Setup = () => Promise<void>;
  const none: Setup = async () => undefined;
  const withDelmaal: Setup = async () => {
    await accepteret();
    await run([opretDelmaal(), udfoerer]);
  };
  const maal = (o: Parameters<typeof indsatsmaalInput>[0]) => afgivBestilling({ indsatsmaal: [indsatsmaalInput(o)] });

  /** Every "Reject" rule of reference.md §5 that the core enforces, plus the state machine. */
  it.each<[string, Setup, HubCommand, CommandMeta]>([
    ['R-01', none, maal({ undertema: kode(FFB.hukommelse) }), myndighed],
    ['R-02', none, maal({ undertema: [FFB.indgaaISamspil, FFB.varetageRelationer] }), myndighed],
    ['R-03', none, maal({ relateredeUndertemaer: [kode(FFB.boligomraade)] }), myndighed],
    [
      'R-04',
      accepteret,
      opfoelgning({
        funktionsevne: [
          { undertema: FFB.indgaaISamspil, funktionsevneniveau: FFB.niveau1 },
          { undertema: kode(FFB.lavemad), funktionsevneniveau: FFB.niveau1 },
          { undertema: kode(FFB.hukommelse), funktionsevneniveau: FFB.niveau1 },
        ],
      }),
      myndighed,
    ],
    ['R-06', none, maal({ maaltype: FFB.niveau1 }), myndighed],
    ['R-10', none, afgivBestilling({ stoettebehov: [FFB.letStoettebehov, FFB.moderatStoettebehov] }), myndighed],
    ['R-12', none, afgivBestilling({ primaerMaalgruppe: [kode(FFB.angst), kode(FFB.autismespektrum)] }), myndighed],
    ['R-15', none, afgivBestilling({ tilbudstype: kode(FFB.stoetteTilSocialeRelationer) }), myndighed],
    [
      'R-17',
      none,
      afgivBestilling({
        ydelser: [
          {
            ydelseLinjeId: IDS.ydelse1,
            ydelse: kode(FFB.stoetteTilSocialeRelationer),
            startdato: '2026-05-01',
            slutdato: '2026-04-30',
          },
        ],
      }),
      myndighed,
    ],
    ['R-20', accepteret, opretDelmaal({ indsatsmaalId: IDS.maal3 }), udfoerer],
    ['R-23', accepteret, opretDelmaal({ slutdato: undefined as unknown as string }), udfoerer],
    ['R-25', accepteret, vumObservation([]), udfoerer],
    [
      'R-28',
      async () => {
        regler = { ...STANDARD_REGLER, delmaalScore: 'paakraevet' };
        await withDelmaal();
      },
      {
        type: 'RegistrerDelmaalsobservation',
        data: {
          delmaalId: IDS.delmaal1,
          observationId: IDS.observation2,
          observation: 'Deltog.',
          observeret: '2026-03-01T08:00:00Z',
        },
      },
      udfoerer,
    ],
    [
      'R-30',
      accepteret,
      {
        type: 'SendStatus',
        data: {
          bestillingId: b,
          statusId: IDS.status,
          indsatsmaal: [{ indsatsmaalId: IDS.maal1, statustekst: 'Fremgang' }],
        },
      },
      udfoerer,
    ],
    ['R-31', accepteret, opfoelgning({ statusPaaIndsats: undefined }), myndighed],
    ['R-32', accepteret, opfoelgning({ funktionsevne: [] }), myndighed],
    ['BESTILLING.IKKE_ACCEPTERET', async () => run([afgivBestilling(), myndighed]), opretDelmaal(), udfoerer],
    ['BESTILLING.IKKE_KVITTERET', async () => run([afgivBestilling(), myndighed]), accepter, udfoerer],
    [
      'BESTILLING.AFSLUTTET',
      async () => {
        await withDelmaal();
        await run([
          { type: 'AfslutIndsats', data: { bestillingId: b, slutdato: '2026-03-01', begrundelse: 'x' } },
          myndighed,
        ]);
      },
      {
        type: 'RegistrerDelmaalsobservation',
        data: {
          delmaalId: IDS.delmaal1,
          observationId: IDS.observation2,
          observation: 'x',
          observeret: '2026-03-01T08:00:00Z',
        },
      },
      udfoerer,
    ],
    ['BESTILLING.FINDES_IKKE', none, kvitter, udfoerer],
    [
      'DELMAAL.FINDES_IKKE',
      accepteret,
      { type: 'AfslutDelmaal', data: { delmaalId: IDS.delmaal2, maalopfyldelse: 'opnaaet', konklusion: 'x' } },
      udfoerer,
    ],
    ['FFB.UGYLDIG_KODE', none, maal({ undertema: '7f0c2c1e-0000-4000-8000-000000000000' }), myndighed],
  ])('%s is refused with its code and the store does not change', async (code, setup, command, meta) => {
    await setup();
    const before = await store.readAll();
    const head = await store.headPosition();
    const error = await service.handle(command, meta).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).violations.map((v) => v.code)).toContain(code);
    expect(await store.headPosition()).toBe(head);
    expect(await store.readAll()).toEqual(before);
  });
});
