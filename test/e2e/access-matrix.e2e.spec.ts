import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { topicNames } from '@hub/relay';
import { ensureTopics, listTopics, produce, readTopic } from '@hub/relay/testing/kcat';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { startHub, UDEN_REGLER, type RunningHub } from './support/hub';
import { bestilling, delmaal, indsatsmaal, opfoelgning, vumObservation } from './support/requests';

/**
 * The access matrix of issue 7: every route of /openapi.json (and every route the app serves) and every channel of
 * /asyncapi.json, as every kind of caller. The tables below are the contract; the test fails when the app has a route
 * or a channel the tables do not name, or the tables name one the app no longer has.
 *
 * Denied is 401 without a valid token (none, expired, wrong signature); 403 (problem+json, ADGANG.*) for a party the
 * route is not open to and for another party's bestilling read or written by id; 404 where the API deliberately hides
 * that a bestilling exists: the read models' by-id views (`/myndighed/bestillinger/:id`,
 * `/udfoerer/bestillinger/:id/status-forslag`) query only the caller's own rows, so another kommune's or tilbud's
 * bestilling is unknown there. Lists are allowed to the other kommune or tilbud and show it nothing of ours.
 * Allowed is any status but 401/403; here a read answers 200, and a command reaches its own party's business rules
 * and is refused there (422: the fixture's indsats and delmål are afsluttet, its ids used), so nothing changes.
 *
 * The callers: kommune 0101 and tilbud-4711 own the fixture's bestilling; kommune 0147 and tilbud-9999 are the others;
 * analytikere of 0101 and 0147; drift; and no token, an expired one, one signed with another key.
 */

const CALLERS = [
  'kommune',
  'andenKommune',
  'tilbud',
  'andetTilbud',
  'analytiker',
  'andenAnalytiker',
  'drift',
  'ingenToken',
  'udloebet',
  'forkertSignatur',
] as const;
type Caller = (typeof CALLERS)[number];
type Outcome = 'ok' | 401 | 403 | 404;
type Row = Readonly<Record<Caller, Outcome>>;

const ok = 'ok' as const;
/** A route that needs a token: the seven parties' outcomes, 401 for the three without a valid token. */
const t = (...outcomes: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]): Row => {
  const [kommune, andenKommune, tilbud, andetTilbud, analytiker, andenAnalytiker, drift] = outcomes;
  return {
    kommune,
    andenKommune,
    tilbud,
    andetTilbud,
    analytiker,
    andenAnalytiker,
    drift,
    ingenToken: 401,
    udloebet: 401,
    forkertSignatur: 401,
  };
};
/** Public: no token needed, open to every caller, no personal data. */
const PUBLIC: Row = Object.fromEntries(CALLERS.map((c) => [c, ok])) as Row;

// prettier-ignore
const HTTP: Record<string, Row> = {
  //                                                            kommune andenK tilbud andetT analyt andenA drift
  'GET /health':                                                PUBLIC,
  'GET /metrics':                                               PUBLIC,
  'GET /ops':                                                   PUBLIC,
  'GET /ops/status.json':                                       PUBLIC,
  'GET /ops/stroem':                                            PUBLIC,
  'GET /openapi.json':                                          PUBLIC,
  'GET /asyncapi.json':                                         PUBLIC,
  'POST /bestillinger':                                         t(ok,    403,   403,   403,   403,   403,   403),
  'GET /bestillinger/:bestillingId':                            t(ok,    403,   ok,    403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/aendringer':                t(ok,    403,   403,   403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/annullering':               t(ok,    403,   403,   403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/kvittering':                t(403,   403,   ok,    403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/accept':                    t(403,   403,   ok,    403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/afvisning':                 t(403,   403,   ok,    403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/vum-observationer':         t(403,   403,   ok,    403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/status':                    t(403,   403,   ok,    403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/tilbagemeldinger':          t(403,   403,   ok,    403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/tilbagemeldinger/:tilbagemeldingId/kvittering':
                                                                t(ok,    403,   403,   403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/opfoelgninger':             t(ok,    403,   403,   403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/afslutning':                t(ok,    403,   403,   403,   403,   403,   403),
  'POST /bestillinger/:bestillingId/delmaal':                   t(403,   403,   ok,    403,   403,   403,   403),
  'GET /delmaal/:delmaalId':                                    t(ok,    403,   ok,    403,   403,   403,   403),
  'POST /delmaal/:delmaalId/observationer':                     t(403,   403,   ok,    403,   403,   403,   403),
  'POST /delmaal/:delmaalId/evalueringer':                      t(403,   403,   ok,    403,   403,   403,   403),
  'POST /delmaal/:delmaalId/afslutning':                        t(403,   403,   ok,    403,   403,   403,   403),
  'GET /myndighed/bestillinger':                                t(ok,    ok,    403,   403,   403,   403,   403),
  'GET /myndighed/bestillinger/:bestillingId':                  t(ok,    404,   403,   403,   403,   403,   403),
  'GET /myndighed/tilbagemeldinger':                            t(ok,    ok,    403,   403,   403,   403,   403),
  'GET /myndighed/opfoelgninger':                               t(ok,    ok,    403,   403,   403,   403,   403),
  'GET /myndighed/andre-indsatsomraader':                       t(ok,    ok,    403,   403,   403,   403,   403),
  'GET /myndighed/tilbagemeldingskrav':                         t(ok,    ok,    403,   403,   403,   403,   403),
  'GET /myndighed/paamindelser':                                t(ok,    ok,    403,   403,   403,   403,   403),
  'GET /myndighed/tilbagemeldingspligt/overholdelse':           t(ok,    ok,    403,   403,   403,   403,   403),
  'GET /udfoerer/bestillinger':                                 t(403,   403,   ok,    ok,    403,   403,   403),
  'GET /udfoerer/indsatser':                                    t(403,   403,   ok,    ok,    403,   403,   403),
  'GET /udfoerer/frister':                                      t(403,   403,   ok,    ok,    403,   403,   403),
  'GET /udfoerer/bestillinger/:bestillingId/status-forslag':    t(403,   403,   ok,    404,   403,   403,   403),
  'GET /udfoerer/tilbagemeldingskrav':                          t(403,   403,   ok,    ok,    403,   403,   403),
  'GET /udfoerer/paamindelser':                                 t(403,   403,   ok,    ok,    403,   403,   403),
  'GET /udfoerer/tilbagemeldingspligt/overholdelse':            t(403,   403,   ok,    ok,    403,   403,   403),
  'GET /observationer':                                         t(ok,    ok,    ok,    ok,    403,   403,   403),
  'GET /tilbagemeldingspligt/regler':                           t(ok,    ok,    ok,    ok,    403,   403,   403),
  'POST /indsigt':                                              t(ok,    404,   403,   403,   403,   403,   403),
  // Erasing the other kommune's borger, whose indsats is active: its myndighed is refused by the rule (422), ours finds
  // no such borger among its bestillinger. The erasure itself is test/e2e/sletning.e2e.spec.ts.
  'POST /sletning':                                             t(404,   ok,    403,   403,   403,   403,   403),
  'GET /analyse/maalopfyldelse':                                t(ok,    ok,    403,   403,   ok,    ok,    403),
  'GET /analyse/opfoelgningsudfald':                            t(ok,    ok,    403,   403,   ok,    ok,    403),
  'GET /analyse/nye-behov':                                     t(ok,    ok,    403,   403,   ok,    ok,    403),
  'GET /analyse/tilbagemeldinger':                              t(ok,    ok,    403,   403,   ok,    ok,    403),
  'GET /analyse/dokumentation':                                 t(ok,    ok,    403,   403,   ok,    ok,    403),
  'GET /analyse/indsatsmaal.ndjson':                            t(ok,    ok,    403,   403,   ok,    ok,    403),
  'GET /analyse/indsatsmaal.csv':                               t(ok,    ok,    403,   403,   ok,    ok,    403),
};

/**
 * The channels of /asyncapi.json, by address: who writes (sender) and who reads (recipient) each. Outbound and
 * dead-letter topics are read by the party they name, command topics written by it; the hub is the other side. No
 * channel names the analytiker or drift.
 */
// prettier-ignore
const KAFKA: Record<string, { readonly sender: 'hub' | 'myndighed' | 'udfoerer'; readonly recipient: 'hub' | 'myndighed' | 'udfoerer' }> = {
  'ffb.myndighed.{kommunekode}.v1':          { sender: 'hub',       recipient: 'myndighed' },
  'ffb.udfoerer.{tilbudId}.v1':              { sender: 'hub',       recipient: 'udfoerer' },
  'ffb.kommando.myndighed.{kommunekode}.v1': { sender: 'myndighed', recipient: 'hub' },
  'ffb.kommando.udfoerer.{tilbudId}.v1':     { sender: 'udfoerer',  recipient: 'hub' },
  'ffb.dlq.myndighed.{kommunekode}.v1':      { sender: 'hub',       recipient: 'myndighed' },
  'ffb.dlq.udfoerer.{tilbudId}.v1':          { sender: 'hub',       recipient: 'udfoerer' },
};

const CPR = '0202804321';
const ANDEN_CPR = '0303904321';
/** In every free text the test writes, so a scan for it finds any of them. */
const MARKER = `HEMMELIG${randomBytes(4).toString('hex')}`;
const topics = topicNames();
const KOMMUNE = { party: 'myndighed', id: '0101' } as const;
const ANDEN_KOMMUNE = { party: 'myndighed', id: '0147' } as const;
const TILBUD = { party: 'udfoerer', id: 'tilbud-4711' } as const;
const ANDET_TILBUD = { party: 'udfoerer', id: 'tilbud-9999' } as const;

describe('the access matrix: every route and channel as every kind of caller', () => {
  let mock: MockKafka;
  let hub: RunningHub;
  const token = {} as Record<Caller, string | undefined>;
  const ids = {} as Record<'bestilling' | 'maal' | 'delmaal' | 'tilbagemelding' | 'borger' | 'andenBestilling', string>;

  /** A path with the fixture's real ids. */
  const pathOf = (route: string) =>
    route
      .slice(route.indexOf(' ') + 1)
      .replace(':bestillingId', ids.bestilling)
      .replace(':delmaalId', ids.delmaal)
      .replace(':tilbagemeldingId', ids.tilbagemelding);

  /**
   * A body each command's own party sends validly but the domain refuses in the fixture's state (the indsats and the
   * delmål are afsluttet; ids already used): it reaches the party and scope checks, and changes nothing.
   */
  const bodyOf = (route: string): unknown => {
    const begrundelse = `Begrundelse ${MARKER}`;
    const bodies: Record<string, unknown> = {
      'POST /bestillinger': bestilling({ bestillingId: ids.bestilling, cpr: CPR }),
      'POST /bestillinger/:bestillingId/aendringer': { begrundelse, indsatsformaal: `Nyt formål ${MARKER}` },
      'POST /bestillinger/:bestillingId/annullering': { begrundelse },
      'POST /bestillinger/:bestillingId/kvittering': { version: 1 },
      'POST /bestillinger/:bestillingId/accept': {},
      'POST /bestillinger/:bestillingId/afvisning': { begrundelse },
      'POST /bestillinger/:bestillingId/vum-observationer': vumObservation({ tekst: `Obs ${MARKER}` }),
      'POST /bestillinger/:bestillingId/status': {
        indsatsmaal: [{ indsatsmaalId: ids.maal, statustekst: `Status ${MARKER}` }],
      },
      'POST /bestillinger/:bestillingId/tilbagemeldinger': { trigger: 'ANDET', tekst: `Tilbagemelding ${MARKER}` },
      'POST /bestillinger/:bestillingId/tilbagemeldinger/:tilbagemeldingId/kvittering': {},
      'POST /bestillinger/:bestillingId/opfoelgninger': opfoelgning({ borgerensVurdering: `Vurdering ${MARKER}` }),
      'POST /bestillinger/:bestillingId/afslutning': { slutdato: '2026-05-01', begrundelse },
      'POST /bestillinger/:bestillingId/delmaal': delmaal(ids.maal, { navn: `Delmål ${MARKER}` }),
      'POST /delmaal/:delmaalId/observationer': { observation: `Obs ${MARKER}`, observeret: '2026-04-02T10:00:00Z' },
      'POST /delmaal/:delmaalId/evalueringer': evaluering(),
      'POST /delmaal/:delmaalId/afslutning': { maalopfyldelse: 'delvist_opnaaet', konklusion: `Konklusion ${MARKER}` },
      'POST /indsigt': { cpr: CPR },
      'POST /sletning': { cpr: ANDEN_CPR },
    };
    return bodies[route];
  };

  /** Calls a route; a stream (/ops/stroem) is read up to its first chunk. */
  const call = async (route: string, caller: Caller) => {
    const method = route.slice(0, route.indexOf(' '));
    const body = method === 'POST' ? bodyOf(route) : undefined;
    const res = await fetch(`${hub.url}${pathOf(route)}`, {
      method,
      headers: {
        ...(token[caller] ? { authorization: `Bearer ${token[caller]}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    let text: string;
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      const reader = res.body?.getReader();
      const first = await reader?.read();
      await reader?.cancel();
      text = Buffer.from(first?.value ?? []).toString('utf8');
    } else text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
  };

  beforeAll(async () => {
    mock = await startMockKafka();
    const kommandoer = [KOMMUNE, ANDEN_KOMMUNE, TILBUD, ANDET_TILBUD].map((p) => topics.commands(p));
    await ensureTopics(mock.bootstrap, kommandoer);
    hub = await startHub({
      ...UDEN_REGLER,
      HUB_MIN_GRUPPE: '1',
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
    });
    token.kommune = await hub.token({ party: 'myndighed', id: '0101' });
    token.andenKommune = await hub.token({ party: 'myndighed', id: '0147' });
    token.tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    token.andetTilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-9999' });
    token.analytiker = await hub.token({ party: 'analytiker', id: '0101' });
    token.andenAnalytiker = await hub.token({ party: 'analytiker', id: '0147' });
    token.drift = await hub.token({ party: 'drift' });
    token.ingenToken = undefined;
    token.udloebet = await hub.token({
      party: 'myndighed',
      id: '0101',
      expiresIn: Math.floor(Date.now() / 1000) - 60,
    });
    token.forkertSignatur = await new SignJWT({ party: 'myndighed', kommunekode: '0101' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('sagsbehandler@0101')
      .setExpirationTime('1h')
      .sign(randomBytes(32));

    // A bestilling of kommune 0101 for tilbud-4711 through its whole life, with free text everywhere, then afsluttet.
    const send = async (caller: Caller, path: string, body: unknown) => {
      const res = await hub.call('POST', path, { token: token[caller] as string, body });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json as { id?: string };
    };
    const tekst = (s: string) => `${s} ${MARKER}`;
    const b = `/bestillinger`;
    ids.bestilling = (
      await send(
        'kommune',
        b,
        bestilling({
          cpr: CPR,
          borgerensOensker: tekst('Ønske'),
          indsatsformaal: tekst('Formål'),
          indsatsmaal: [indsatsmaal({ maalformulering: tekst('Mål') })],
        }),
      )
    ).id as string;
    const p = `${b}/${ids.bestilling}`;
    await send('tilbud', `${p}/kvittering`, { version: 1 });
    await send('tilbud', `${p}/accept`, {});
    const state = await hub.call('GET', p, { token: token.kommune as string });
    ids.maal = state.json.indsatsmaal[0].indsatsmaalId as string;
    ids.borger = state.json.borgerId as string;
    ids.delmaal = (await send('tilbud', `${p}/delmaal`, delmaal(ids.maal, { navn: tekst('Delmål') }))).id as string;
    await send('tilbud', `/delmaal/${ids.delmaal}/observationer`, {
      observation: tekst('Observation'),
      observeret: '2026-04-01T10:00:00Z',
      score: 3,
    });
    await send('tilbud', `/delmaal/${ids.delmaal}/evalueringer`, evaluering());
    await send('tilbud', `/delmaal/${ids.delmaal}/afslutning`, {
      maalopfyldelse: 'delvist_opnaaet',
      konklusion: tekst('K'),
    });
    await send('tilbud', `${p}/vum-observationer`, vumObservation({ tekst: tekst('VUM') }));
    await send('tilbud', `${p}/status`, { indsatsmaal: [{ indsatsmaalId: ids.maal, statustekst: tekst('Status') }] });
    ids.tilbagemelding = (await send('tilbud', `${p}/tilbagemeldinger`, { trigger: 'ANDET', tekst: tekst('TB') }))
      .id as string;
    await send('kommune', `${p}/tilbagemeldinger/${ids.tilbagemelding}/kvittering`, {});
    await send('kommune', `${p}/opfoelgninger`, opfoelgning({ borgerensVurdering: tekst('Vurdering') }));
    await send('kommune', `${p}/afslutning`, { slutdato: '2026-06-30', begrundelse: tekst('Slut') });
    // Another kommune's bestilling for another tilbud: its own topics carry it, ours must not.
    ids.andenBestilling = (
      await send('andenKommune', b, bestilling({ cpr: ANDEN_CPR, kommunekode: '0147', tilbudId: 'tilbud-9999' }))
    ).id as string;
    await send('andetTilbud', `${b}/${ids.andenBestilling}/kvittering`, { version: 1 });
    await hub.readModelsCaughtUp();
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    await mock?.stop();
  });

  it('names every route the app serves and every path of /openapi.json, and nothing else', async () => {
    const doc = (await hub.call('GET', '/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    // The 404 catch-all (every method) is no route of its own.
    const served = hub.routes.filter((r) => !r.endsWith(' /{*path}'));
    const all = [...new Set([...documented, ...served])].sort();
    expect(Object.keys(HTTP).sort()).toEqual(all);
  });

  it('lets each caller do what its row says, denies the rest with 401/403/404 problems, and changes nothing', async () => {
    const secrets = [ids.bestilling, ids.delmaal, ids.tilbagemelding, ids.borger, CPR, MARKER];
    const pii = [ids.borger, CPR, MARKER];
    const headBefore = await hub.store.headPosition();
    const got: string[] = [];
    const want: string[] = [];
    const badProblems: string[] = [];
    const unexpected: string[] = [];
    const leaks: string[] = [];
    const family = { 401: /^AUTH\./, 403: /^ADGANG\./, 404: /FINDES_IKKE$/ } as const;
    for (const [route, row] of Object.entries(HTTP)) {
      for (const caller of CALLERS) {
        const res = await call(route, caller);
        const expected = row[caller];
        const outcome: Outcome =
          res.status === 401 || res.status === 403 || (res.status === 404 && expected === 404)
            ? (res.status as Outcome)
            : ok;
        got.push(`${route} ${caller} ${outcome}`);
        // Allowed: a read answers 200; a command reaches its party's business rules and is refused there (422). The
        // insight request is a read by POST (the CPR stays out of the URL).
        const allowedStatus = route.startsWith('POST ') && route !== 'POST /indsigt' ? 422 : 200;
        if (outcome === ok && res.status !== allowedStatus) unexpected.push(`${route} ${caller} ${res.status}`);
        want.push(`${route} ${caller} ${expected}`);
        let text = res.text;
        if (outcome !== ok) {
          // RFC 9457 with a stable code of the right family.
          const { instance: _echo, ...problem } = JSON.parse(res.text) as {
            code: string;
            status: number;
            instance: string;
          };
          // `instance` echoes the caller's own path; the rest must show it nothing.
          text = JSON.stringify(problem);
          if (
            !res.contentType.startsWith('application/problem+json') ||
            problem.status !== res.status ||
            !family[outcome].test(problem.code)
          )
            badProblems.push(`${route} ${caller} ${res.contentType} ${res.text}`);
        }
        // Only the bestilling's own parties see it; the analytiker sees it only pseudonymised.
        const own = caller === 'kommune' || caller === 'tilbud';
        const leaked = (own ? [] : caller === 'analytiker' ? pii : secrets).filter((s) => text.includes(s));
        if (leaked.length > 0) leaks.push(`${route} ${caller} ${leaked.join(',')}`);
      }
    }
    expect(got).toEqual(want);
    expect(unexpected).toEqual([]);
    expect(badProblems).toEqual([]);
    expect(leaks).toEqual([]);
    // Every command above was refused (by a rule for its own party, by access for the others): the log is untouched.
    expect(await hub.store.headPosition()).toBe(headBefore);
  }, 60_000);

  it("gives the analytiker its kommune's pseudonymised data set, and the other kommune's analytiker none of it", async () => {
    const ndjson = async (caller: Caller) =>
      (await call('GET /analyse/indsatsmaal.ndjson', caller)).text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const egen = await ndjson('analytiker');
    // One row per indsatsmål of the fixture's bestilling, under a pseudonym.
    expect(egen).toEqual([expect.objectContaining({ kommunekode: '0101' })]);
    const andre = await ndjson('andenAnalytiker');
    expect(andre.filter((row) => row['kommunekode'] !== '0147')).toEqual([]);
    // The myndighed, the data controller, keeps reading its own kommune's analyses: the same data set.
    expect(await ndjson('kommune')).toEqual(egen);
  });

  it('names every channel of /asyncapi.json with its sender and recipient, none for the analytiker or drift', async () => {
    const doc = (await hub.call('GET', '/asyncapi.json')).json as { channels: Record<string, { address: string }> };
    const addresses = Object.values(doc.channels).map((c) => c.address);
    expect(addresses.sort()).toEqual(Object.keys(KAFKA).sort());
    for (const party of ['analytiker', 'drift']) {
      expect(addresses.filter((a) => a.includes(party))).toEqual([]);
      expect(Object.values(KAFKA).filter((c) => c.sender === party || c.recipient === party)).toEqual([]);
    }
  });

  it("carries on each party's outbound topic only its own bestillinger, and no topic for the analytiker or drift", async () => {
    const outbound = Object.entries(KAFKA).filter(([a, c]) => c.sender === 'hub' && !a.startsWith('ffb.dlq.'));
    const expected = [
      [KOMMUNE, [ids.bestilling]],
      [TILBUD, [ids.bestilling]],
      [ANDEN_KOMMUNE, [ids.andenBestilling]],
      [ANDET_TILBUD, [ids.andenBestilling]],
    ] as const;
    for (const [address, channel] of outbound) {
      for (const [ref, bestillinger] of expected.filter(([r]) => r.party === channel.recipient)) {
        const topic = address.replace(/\{\w+\}/, ref.id);
        const records = await eventually(
          () => readTopic(mock.bootstrap, topic),
          (r) => r.length > 0,
          20_000,
          `records on ${topic}`,
        );
        expect([topic, [...new Set(records.map((r) => r.key))]]).toEqual([topic, bestillinger]);
      }
    }
    const all = await listTopics(mock.bootstrap);
    expect(all.filter((topic) => /analytiker|drift/.test(topic))).toEqual([]);
  }, 60_000);

  it("dead-letters a command on one sender's topic about another kommune's or tilbud's bestilling, and stores nothing", async () => {
    const head = await hub.store.headPosition();
    const cases = [
      // Kommune 0147 cancels kommune 0101's bestilling; tilbud-9999 sends a status on tilbud-4711's.
      [ANDEN_KOMMUNE, 'AnnullerBestilling', { bestillingId: ids.bestilling, begrundelse: 'x' }, 'ADGANG.ANDEN_KOMMUNE'],
      [
        ANDET_TILBUD,
        'SendStatus',
        { bestillingId: ids.bestilling, indsatsmaal: [{ indsatsmaalId: ids.maal, statustekst: 'x' }] },
        'ADGANG.ANDET_TILBUD',
      ],
    ] as const;
    for (const [sender, type, body, code] of cases) {
      const id = randomUUID();
      await produce(mock.bootstrap, {
        topic: topics.commands(sender),
        key: ids.bestilling,
        headers: {
          ce_specversion: '1.0',
          ce_id: id,
          ce_type: `dk.ffb.kommando.${type.toLowerCase()}.v1`,
          ce_source: 'urn:e2e:fagsystem',
          'content-type': 'application/json',
        },
        value: JSON.stringify(body),
      });
      const dlq = topics.deadLetter(sender);
      const letters = await eventually(
        () => readTopic(mock.bootstrap, dlq),
        (r) => r.some((l) => l.headers['ce_id'] === id),
        20_000,
        `the dead letter on ${dlq}`,
      );
      expect(letters.find((l) => l.headers['ce_id'] === id)?.headers['ffb_dlq_code']).toBe(code);
    }
    expect(await hub.store.headPosition()).toBe(head);
  }, 60_000);
});

function evaluering() {
  return {
    dato: '2026-06-01',
    hvordanGaarDet: `Møder op hver uge. ${MARKER}`,
    virkningForBorgeren: 'Mindre angst.',
    borgerensOplevelse: 'Hyggeligt.',
    refleksionerOverMetoder: 'Virker.',
    giverAnledningTilAendringer: false,
    udvikling: 'fremgang',
    konklusion: 'På vej til at blive nået.',
  };
}
