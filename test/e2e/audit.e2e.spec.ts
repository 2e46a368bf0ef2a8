import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { ensureTopics, produce, readTopic } from '@hub/relay/testing/kcat';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { mintDevToken } from '../../apps/hub/src/auth/dev-token';
import { startHub, type RunningHub } from './support/hub';
import { spawnHub } from './support/processes';
import { bestilling, delmaal, vumObservation } from './support/requests';

const CPR_X = '0101704321';
const CPR_Y = '1212804321';

interface Opslag {
  at: string;
  party: string;
  subject: string;
  action: string;
  channel: { kind: string; method?: string; route?: string; topic?: string };
  purpose: string;
  correlationId: string;
}

/** What the test expects the log to say about one request: who, what, where, why. */
const line = (o: Pick<Opslag, 'party' | 'subject' | 'action' | 'purpose' | 'correlationId'> & { route: string }) =>
  `${o.correlationId} ${o.party} ${o.subject} ${o.action} ${o.route} «${o.purpose}»`;
const fromOpslag = (o: Opslag) => line({ ...o, route: `${o.channel.method} ${o.channel.route}` });

describe('audit log: every use of a borger is recorded with its purpose, and an insight request returns it', () => {
  let hub: RunningHub;
  let n = 0;
  /** Each lookup the test makes of borger X, as the insight answer should list it. */
  const forX: string[] = [];
  const forYOnly: string[] = [];

  beforeAll(async () => {
    hub = await startHub({ HUB_ROLES: 'api,projector,relay' });
  });
  afterAll(() => hub.stop());

  /** Calls the hub with a fresh correlation id and notes the lookup under the borgere it touches. */
  const call = async (
    who: { token: string; party: string; subject: string; purpose: string },
    method: string,
    path: string,
    route: string,
    touches: { x: boolean; y?: boolean },
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const correlationId = `audit-${++n}`;
    const res = await hub.call(method, path, {
      token: who.token,
      ...(options.body === undefined ? {} : { body: options.body }),
      headers: { 'x-correlation-id': correlationId, ...options.headers },
    });
    expect([method, path, res.status >= 200 && res.status < 300 ? '2xx' : res.status]).toEqual([method, path, '2xx']);
    const l = line({
      correlationId,
      party: who.party,
      subject: who.subject,
      action: method === 'GET' ? 'laes' : 'skriv',
      route: `${method} ${route}`,
      purpose: who.purpose,
    });
    if (touches.x) forX.push(l);
    else if (touches.y) forYOnly.push(l);
    return res;
  };

  it('records the lifecycle of one borger, both parties, reads and writes, and answers the insight request with all of it', async () => {
    const kommune = {
      token: await hub.token({ party: 'myndighed', id: '0101', sub: 'sagsbehandler-anna', purpose: 'sagsbehandling' }),
      party: 'myndighed',
      subject: 'sagsbehandler-anna',
      purpose: 'sagsbehandling',
    };
    // No purpose in the token: the Purpose header gives it.
    const kommuneUden = await hub.token({ party: 'myndighed', id: '0101', sub: 'sagsbehandler-bo' });
    const kommuneHeader = {
      token: kommuneUden,
      party: 'myndighed',
      subject: 'sagsbehandler-bo',
      purpose: 'opfølgning på indsats',
    };
    const headerBo = { purpose: 'opfølgning på indsats' };
    const tilbud = {
      token: await hub.token({
        party: 'udfoerer',
        id: 'tilbud-4711',
        sub: 'bosted@tilbud-4711',
        purpose: 'levering af indsats',
      }),
      party: 'udfoerer',
      subject: 'bosted@tilbud-4711',
      purpose: 'levering af indsats',
    };

    const afgiv = await call(kommune, 'POST', '/bestillinger', '/bestillinger', { x: true }, { body: bestilling() });
    const x: string = afgiv.json.id;
    const afgivY = await call(
      kommune,
      'POST',
      '/bestillinger',
      '/bestillinger',
      { x: false, y: true },
      {
        body: bestilling({ cpr: CPR_Y, tilbudId: 'tilbud-9' }),
      },
    );
    const y: string = afgivY.json.id;

    const state = await call(tilbud, 'GET', `/bestillinger/${x}`, '/bestillinger/:bestillingId', { x: true });
    const [maal1] = state.json.indsatsmaal.map((m: { indsatsmaalId: string }) => m.indsatsmaalId);
    await call(
      tilbud,
      'POST',
      `/bestillinger/${x}/kvittering`,
      '/bestillinger/:bestillingId/kvittering',
      { x: true },
      {
        body: { version: 1 },
      },
    );
    await call(
      tilbud,
      'POST',
      `/bestillinger/${x}/accept`,
      '/bestillinger/:bestillingId/accept',
      { x: true },
      {
        body: { forventetStartdato: '2026-03-15' },
      },
    );
    const d = await call(
      tilbud,
      'POST',
      `/bestillinger/${x}/delmaal`,
      '/bestillinger/:bestillingId/delmaal',
      { x: true },
      {
        body: delmaal(maal1),
      },
    );
    const delmaalId: string = d.json.id;
    await call(
      tilbud,
      'POST',
      `/delmaal/${delmaalId}/observationer`,
      '/delmaal/:delmaalId/observationer',
      { x: true },
      {
        body: {
          observation: 'Deltog i fællesspisning.',
          refleksion: 'Virkede tryg.',
          score: 2,
          observeret: '2026-03-25T18:30:00+01:00',
        },
      },
    );
    await call(
      tilbud,
      'POST',
      `/bestillinger/${x}/vum-observationer`,
      '/bestillinger/:bestillingId/vum-observationer',
      { x: true },
      {
        body: vumObservation({ observeret: '2026-03-28T21:00:00+01:00' }),
      },
    );
    // The token's purpose wins over a header.
    await call(
      tilbud,
      'GET',
      `/delmaal/${delmaalId}`,
      '/delmaal/:delmaalId',
      { x: true },
      { headers: { purpose: 'ignoreret' } },
    );
    await call(
      kommuneHeader,
      'GET',
      `/bestillinger/${x}`,
      '/bestillinger/:bestillingId',
      { x: true },
      { headers: headerBo },
    );
    await call(kommune, 'GET', `/bestillinger/${y}`, '/bestillinger/:bestillingId', { x: false, y: true });

    await hub.readModelsCaughtUp();
    await call(kommune, 'GET', `/myndighed/bestillinger/${x}`, '/myndighed/bestillinger/:bestillingId', { x: true });
    await call(
      kommuneHeader,
      'GET',
      '/myndighed/bestillinger',
      '/myndighed/bestillinger',
      { x: true, y: true },
      { headers: headerBo },
    );
    await call(tilbud, 'GET', '/udfoerer/bestillinger', '/udfoerer/bestillinger', { x: true });
    await call(tilbud, 'GET', '/udfoerer/indsatser', '/udfoerer/indsatser', { x: true });
    await call(
      tilbud,
      'GET',
      `/udfoerer/bestillinger/${x}/status-forslag`,
      '/udfoerer/bestillinger/:bestillingId/status-forslag',
      { x: true },
    );
    const soeg = await call(kommune, 'GET', `/observationer?borgerId=${state.json.borgerId}`, '/observationer', {
      x: true,
    });
    expect(soeg.json.length).toBeGreaterThan(0);
    // A list that names no borger of X's (another tilbud's view) records nothing about X.
    const andetTilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-9', purpose: 'levering' });
    expect((await hub.call('GET', '/udfoerer/bestillinger', { token: andetTilbud })).status).toBe(200);
    // A refused request is no use of the data.
    expect((await hub.call('GET', `/bestillinger/${x}`, { token: andetTilbud })).status).toBe(403);

    const indsigt = await hub.call('POST', '/indsigt', {
      token: kommune.token,
      body: { cpr: CPR_X },
      headers: { 'x-correlation-id': 'indsigt-x' },
    });
    expect(indsigt.status).toBe(200);
    expect(indsigt.json.borgerId).toBe(state.json.borgerId);
    const got = (indsigt.json.opslag as Opslag[]).map(fromOpslag);
    expect(got.sort()).toEqual(
      [
        ...forX,
        line({ ...kommune, correlationId: 'indsigt-x', action: 'laes', route: 'POST /indsigt', purpose: 'indsigt' }),
      ].sort(),
    );
    for (const y of forYOnly) expect(got).not.toContain(y);
    const times = (indsigt.json.opslag as Opslag[]).map((o) => o.at);
    expect(times).toEqual([...times].sort());
    expect(JSON.stringify(indsigt.json)).not.toContain(CPR_X);

    // Borger Y's insight holds Y's own uses and the list that named both, none of X's alone.
    const indsigtY = await hub.call('POST', '/indsigt', { token: kommune.token, body: { cpr: CPR_Y } });
    const gotY = (indsigtY.json.opslag as Opslag[]).map(fromOpslag);
    for (const l of forYOnly) expect(gotY).toContain(l);
    expect(gotY.filter((l) => forX.includes(l)).map((l) => l.split(' ')[5])).toEqual(['/myndighed/bestillinger']);

    // Only the myndighed that has bestillinger for the borger may ask.
    const andenKommune = await hub.token({ party: 'myndighed', id: '0202' });
    expect((await hub.call('POST', '/indsigt', { token: andenKommune, body: { cpr: CPR_X } })).json.code).toBe(
      'BORGER.FINDES_IKKE',
    );
    expect((await hub.call('POST', '/indsigt', { token: tilbud.token, body: { cpr: CPR_X } })).status).toBe(403);
    expect((await hub.call('POST', '/indsigt', { token: kommune.token, body: { cpr: 'x' } })).status).toBe(400);
  }, 120_000);

  it('records a development caller without a purpose as "ikke angivet"', async () => {
    const uden = await hub.token({ party: 'myndighed', id: '0101', sub: 'uden-formaal' });
    const res = await hub.call('GET', '/myndighed/bestillinger', {
      token: uden,
      headers: { 'x-correlation-id': 'uden-1' },
    });
    expect(res.status).toBe(200);
    const indsigt = await hub.call('POST', '/indsigt', { token: uden, body: { cpr: CPR_X } });
    expect((indsigt.json.opslag as Opslag[]).find((o) => o.correlationId === 'uden-1')?.purpose).toBe('ikke angivet');
    // A tab is the one control character HTTP lets through in a header value.
    for (const purpose of ['a\tb', 'x'.repeat(201)])
      expect((await hub.call('GET', '/myndighed/bestillinger', { token: uden, headers: { purpose } })).json.code).toBe(
        'AUTH.UGYLDIGT_FORMAAL',
      );
  });

  it('documents the Purpose header on the routes that touch a borger, and only there', async () => {
    const doc = (await hub.call('GET', '/openapi.json')).json as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const purpose = (path: string, method: string) =>
      (doc.paths[path]?.[method]?.parameters ?? []).some((p) => p.in === 'header' && p.name === 'Purpose');
    expect(purpose('/bestillinger/{bestillingId}', 'get')).toBe(true);
    expect(purpose('/bestillinger', 'post')).toBe(true);
    expect(purpose('/udfoerer/indsatser', 'get')).toBe(true);
    expect(purpose('/analyse/maalopfyldelse', 'get')).toBe(false);
    expect(purpose('/indsigt', 'post')).toBe(false);
  });

  it('answers 503 instead of serving a lookup it cannot record', async () => {
    const kommune = await hub.token({ party: 'myndighed', id: '0101', purpose: 'sagsbehandling' });
    const list = await hub.call('GET', '/myndighed/bestillinger', { token: kommune });
    expect(list.status).toBe(200);
    const id: string = list.json[0].bestillingId;
    // The audit log breaks under the running hub (its table is gone); the data are still there.
    const db = new Database(join(hub.dataDir, 'audit.sqlite'));
    db.exec('ALTER TABLE audit RENAME TO audit_borte');
    try {
      const res = await hub.call('GET', `/bestillinger/${id}`, { token: kommune });
      expect([res.status, res.headers.get('content-type'), res.json.code]).toEqual([
        503,
        'application/problem+json; charset=utf-8',
        'AUDIT.UTILGAENGELIG',
      ]);
      expect(JSON.stringify(res.json)).not.toContain(list.json[0].borgerId);
      // What touches no borger is still served.
      expect((await hub.call('GET', '/tilbagemeldingspligt/regler', { token: kommune })).status).toBe(200);
    } finally {
      db.exec('ALTER TABLE audit_borte RENAME TO audit');
      db.close();
    }
    expect((await hub.call('GET', `/bestillinger/${id}`, { token: kommune })).status).toBe(200);
  });

  it('purges entries past retention when a hub starts (HUB_AUDIT_RETENTION_DAYS)', async () => {
    const dataDir = hub.dataDir;
    await hub.stop({ keepData: true });
    // Three days later, with one day's retention: the start's purge removes every entry of the test so far.
    const later = new Date(Date.now() + 3 * 86_400_000).toISOString();
    hub = await startHub(
      { HUB_ROLES: 'api,projector,relay', HUB_AUDIT_RETENTION_DAYS: '1', HUB_CLOCK_START: later },
      dataDir,
    );
    await hub.readModelsCaughtUp();
    const kommune = await hub.token({ party: 'myndighed', id: '0101', purpose: 'sagsbehandling' });
    const indsigt = await hub.call('POST', '/indsigt', {
      token: kommune,
      body: { cpr: CPR_X },
      headers: { 'x-correlation-id': 'efter' },
    });
    expect(indsigt.status).toBe(200);
    expect((indsigt.json.opslag as Opslag[]).map((o) => o.correlationId)).toEqual(['efter']);
  });
});

/** A minimal OIDC issuer on loopback (discovery document and JWKS), as in token-verifier.int.spec.ts. */
async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      return res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
    if (req.url === '/jwks') return res.end(JSON.stringify({ keys: [jwk] }));
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const sign = (key: KeyLike, claims: Record<string, unknown>, sub: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience('ffb-hub')
      .setSubject(sub)
      .setExpirationTime('1h')
      .sign(key);
  return {
    issuer,
    token: (claims: Record<string, unknown>, sub = 'sagsbehandler') => sign(privateKey, claims, sub),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('audit log in production mode (OIDC)', () => {
  it('refuses a request that touches a borger without a purpose, before anything is read or written', async () => {
    const issuer = await startIssuer();
    const hub = await startHub({
      HUB_OIDC_ISSUER: issuer.issuer,
      HUB_OIDC_AUDIENCE: 'ffb-hub',
      HUB_ROLES: 'api,projector,relay',
    });
    try {
      const uden = await issuer.token({ party: 'myndighed', kommunekode: '0101' });
      const med = await issuer.token({ party: 'myndighed', kommunekode: '0101', purpose: 'sagsbehandling' });
      const head = await hub.store.headPosition();
      const refused = await hub.call('POST', '/bestillinger', { token: uden, body: bestilling() });
      expect([refused.status, refused.headers.get('content-type'), refused.json.code]).toEqual([
        400,
        'application/problem+json; charset=utf-8',
        'AUTH.FORMAAL_MANGLER',
      ]);
      expect(await hub.store.headPosition()).toBe(head);
      expect((await hub.call('GET', '/myndighed/bestillinger', { token: uden })).json.code).toBe(
        'AUTH.FORMAAL_MANGLER',
      );
      // An erasure too: it is a use of the borger's data that must say why.
      expect((await hub.call('POST', '/sletning', { token: uden, body: { cpr: CPR_X } })).json.code).toBe(
        'AUTH.FORMAAL_MANGLER',
      );
      // A route that touches no borger needs no purpose.
      expect((await hub.call('GET', '/tilbagemeldingspligt/regler', { token: uden })).status).toBe(200);
      // With a purpose, from the token or the header, it is served and recorded.
      const afgiv = await hub.call('POST', '/bestillinger', { token: med, body: bestilling() });
      expect(afgiv.status).toBe(201);
      await hub.readModelsCaughtUp();
      const list = await hub.call('GET', '/myndighed/bestillinger', { token: uden, headers: { purpose: 'tilsyn' } });
      expect(list.status).toBe(200);
      const indsigt = await hub.call('POST', '/indsigt', { token: uden, body: { cpr: CPR_X } });
      expect(
        (indsigt.json.opslag as Opslag[]).map((o) => `${o.channel.method} ${o.channel.route} ${o.purpose}`),
      ).toEqual(['POST /bestillinger sagsbehandling', 'GET /myndighed/bestillinger tilsyn', 'POST /indsigt indsigt']);
    } finally {
      await hub.stop();
      await issuer.close();
    }
  }, 60_000);
});

describe('audit log and the hub logs', () => {
  it('no CPR reaches a log line, not even from an insight request', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-audit-logs-'));
    const secret = Buffer.alloc(32, 7);
    const hub = await spawnHub(dataDir, { LOG_LEVEL: 'debug', HUB_JWT_SECRET: secret.toString('base64') });
    try {
      const kommune = await mintDevToken(secret, { party: 'myndighed', id: '0101', purpose: 'sagsbehandling' });
      const post = (path: string, body: unknown) =>
        fetch(`${hub.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${kommune}` },
          body: JSON.stringify(body),
        });
      expect((await post('/bestillinger', bestilling({ cpr: CPR_Y }))).status).toBe(201);
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await post('/indsigt', { cpr: CPR_Y })).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      expect((await post('/indsigt', { cpr: '121280-4321' })).status).toBe(200);
      expect((await post('/indsigt', { cpr: '0101704321' })).status).toBe(404);
      await new Promise((r) => setTimeout(r, 300));
      const all = hub.output();
      expect(all).toContain('"path":"/indsigt"');
      for (const cpr of [CPR_Y, '121280-4321', CPR_X]) expect(all).not.toContain(cpr);
    } finally {
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('audit log over Kafka', () => {
  let mock: MockKafka;
  beforeAll(async () => (mock = await startMockKafka()));
  afterAll(() => mock.stop());

  it("records each delivery to a party's topic (laes, levering) and each inbound command (skriv, its ffb_purpose)", async () => {
    await ensureTopics(mock.bootstrap, ['ffb.kommando.udfoerer.tilbud-4711.v1']);
    const hub = await startHub({
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
      HUB_ROLES: 'api,projector,relay',
    });
    try {
      const kommune = await hub.token({ party: 'myndighed', id: '0101', purpose: 'sagsbehandling' });
      const afgiv = await hub.call('POST', '/bestillinger', { token: kommune, body: bestilling() });
      expect(afgiv.status).toBe(201);
      const bestillingId: string = afgiv.json.id;
      const tilUdfoerer = await eventually(
        () => readTopic(mock.bootstrap, 'ffb.udfoerer.tilbud-4711.v1'),
        (found) => found.some((r) => r.headers['ce_type'] === 'dk.ffb.bestilling.afgivet.v1'),
        20_000,
        'the bestilling on the udfører topic',
      );
      const afgivet = tilUdfoerer.find((r) => r.headers['ce_type'] === 'dk.ffb.bestilling.afgivet.v1');
      await produce(mock.bootstrap, {
        topic: 'ffb.kommando.udfoerer.tilbud-4711.v1',
        key: bestillingId,
        headers: {
          ce_specversion: '1.0',
          ce_id: 'kvittering-1',
          ce_type: 'dk.ffb.kommando.kvitterbestilling.v1',
          ce_source: 'urn:e2e:bosted',
          'content-type': 'application/json',
          ffb_purpose: 'levering af indsats',
        },
        value: JSON.stringify({ bestillingId, version: 1 }),
      });
      await eventually(
        () => readTopic(mock.bootstrap, 'ffb.myndighed.0101.v1'),
        (found) => found.some((r) => r.headers['ce_type'] === 'dk.ffb.bestilling.kvitteret.v1'),
        20_000,
        'the kvittering on the myndighed topic',
      );
      const opslag = await eventually(
        async () =>
          (await hub.call('POST', '/indsigt', { token: kommune, body: { cpr: CPR_X } })).json.opslag as Opslag[],
        (o) =>
          o.some((e) => e.channel.kind === 'kafka' && e.action === 'skriv') &&
          o.some((e) => e.channel.topic === 'ffb.myndighed.0101.v1'),
        20_000,
        'the Kafka uses in the insight answer',
      );
      const kafka = opslag.filter((o) => o.channel.kind === 'kafka');
      expect(kafka).toContainEqual(
        expect.objectContaining({
          party: 'udfoerer',
          tilbudId: 'tilbud-4711',
          action: 'laes',
          channel: { kind: 'kafka', topic: 'ffb.udfoerer.tilbud-4711.v1' },
          purpose: 'levering',
          correlationId: afgivet?.headers['ce_id'],
        }),
      );
      expect(kafka).toContainEqual(
        expect.objectContaining({
          party: 'udfoerer',
          subject: 'urn:e2e:bosted',
          action: 'skriv',
          channel: { kind: 'kafka', topic: 'ffb.kommando.udfoerer.tilbud-4711.v1' },
          purpose: 'levering af indsats',
        }),
      );
      expect(kafka).toContainEqual(
        expect.objectContaining({
          party: 'myndighed',
          action: 'laes',
          channel: { kind: 'kafka', topic: 'ffb.myndighed.0101.v1' },
          purpose: 'levering',
        }),
      );
    } finally {
      await hub.stop();
    }
  }, 90_000);
});

describe('audit log over Kafka in production mode (OIDC)', () => {
  let mock: MockKafka;
  beforeAll(async () => (mock = await startMockKafka()));
  afterAll(() => mock.stop());

  it('dead-letters a command without an ffb_purpose header before it is handled', async () => {
    const topic = 'ffb.kommando.udfoerer.tilbud-4711.v1';
    await ensureTopics(mock.bootstrap, [topic]);
    const issuer = await startIssuer();
    const hub = await startHub({
      HUB_OIDC_ISSUER: issuer.issuer,
      HUB_OIDC_AUDIENCE: 'ffb-hub',
      HUB_ROLES: 'api,projector,relay',
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
    });
    try {
      const kommune = await issuer.token({ party: 'myndighed', kommunekode: '0101', purpose: 'sagsbehandling' });
      const afgiv = await hub.call('POST', '/bestillinger', { token: kommune, body: bestilling() });
      expect(afgiv.status).toBe(201);
      const head = await hub.store.headPosition();
      await produce(mock.bootstrap, {
        topic,
        key: afgiv.json.id,
        headers: {
          ce_specversion: '1.0',
          ce_id: 'uden-formaal-1',
          ce_type: 'dk.ffb.kommando.kvitterbestilling.v1',
          ce_source: 'urn:e2e:bosted',
          'content-type': 'application/json',
        },
        value: JSON.stringify({ bestillingId: afgiv.json.id, version: 1 }),
      });
      const letters = await eventually(
        () => readTopic(mock.bootstrap, 'ffb.dlq.udfoerer.tilbud-4711.v1'),
        (found) => found.some((r) => r.headers['ce_id'] === 'uden-formaal-1'),
        20_000,
        'the command on the dead-letter topic',
      );
      expect(letters.find((r) => r.headers['ce_id'] === 'uden-formaal-1')?.headers['ffb_dlq_code']).toBe(
        'AUTH.FORMAAL_MANGLER',
      );
      expect(await hub.store.headPosition()).toBe(head);
    } finally {
      await hub.stop();
      await issuer.close();
    }
  }, 60_000);
});
