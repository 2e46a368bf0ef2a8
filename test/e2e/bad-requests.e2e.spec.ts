import { SignJWT } from 'jose';
import { FFB, kode } from '@hub/domain/testing/fixtures';
import { startHub, UDEN_REGLER, type RunningHub } from './support/hub';
import { bestilling, delmaal, indsatsmaal, opfoelgning, vumObservation } from './support/requests';

/**
 * Bad requests get a problem+json with the status and stable code, and change nothing: the store's global position
 * does not move.
 */
describe('bad requests', () => {
  let hub: RunningHub;
  const t: Record<string, string> = {};
  const ids = { accepteret: '', afgivet: '', maal1: '' };

  beforeAll(async () => {
    hub = await startHub(UDEN_REGLER);
    t.kommune = await hub.token({ party: 'myndighed', id: '0101' });
    t.andenKommune = await hub.token({ party: 'myndighed', id: '0147' });
    t.tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    t.andetTilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-9999' });
    t.udloebet = await hub.token({ party: 'myndighed', id: '0101', expiresIn: Math.floor(Date.now() / 1000) - 60 });
    t.forkertNoegle = await new SignJWT({ party: 'myndighed', kommunekode: '0101' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(Buffer.alloc(32, 7));
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({ party: 'myndighed', kommunekode: '0101', sub: 'x', exp: Math.floor(Date.now() / 1000) + 3600 }),
    ).toString('base64url');
    t.usigneret = `${header}.${claims}.`;
    t.ukendtPart = await new SignJWT({ party: 'revisor', kommunekode: '0101' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(hub.config.auth.mode === 'hs256' ? hub.config.auth.secret : Buffer.alloc(32));

    ids.accepteret = (await hub.call('POST', '/bestillinger', { token: t.kommune, body: bestilling() })).json.id;
    await hub.call('POST', `/bestillinger/${ids.accepteret}/kvittering`, { token: t.tilbud, body: { version: 1 } });
    await hub.call('POST', `/bestillinger/${ids.accepteret}/accept`, { token: t.tilbud, body: {} });
    ids.afgivet = (
      await hub.call('POST', '/bestillinger', { token: t.kommune, body: bestilling({ cpr: '0202804321' }) })
    ).json.id;
    ids.maal1 = (
      await hub.call('GET', `/bestillinger/${ids.accepteret}`, { token: t.kommune })
    ).json.indsatsmaal[0].indsatsmaalId;
    expect(await hub.store.headPosition()).toBe(4);
  });
  afterAll(() => hub.stop());

  type Case = [
    name: string,
    status: number,
    code: string,
    request: () => {
      method: string;
      path: string;
      token?: string;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    },
  ];
  const B = () => `/bestillinger/${ids.accepteret}`;
  const cases: Case[] = [
    [
      'unknown FFB ydelse code',
      422,
      'R-15',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({ ydelser: [{ ydelse: '5f1d3c4e-0000-4000-8000-000000000000', startdato: '2026-03-15' }] }),
      }),
    ],
    [
      'indsatsmål on a Funktioner og forhold undertema',
      422,
      'R-01',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({ indsatsmaal: [indsatsmaal({ undertema: kode(FFB.hukommelse) })] }),
      }),
    ],
    [
      'two undertemaer on one mål',
      422,
      'R-02',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({ indsatsmaal: [indsatsmaal({ undertema: [FFB.indgaaISamspil, FFB.varetageRelationer] })] }),
      }),
    ],
    [
      'a related undertema outside A&D',
      422,
      'R-03',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({ indsatsmaal: [indsatsmaal({ relateredeUndertemaer: [kode(FFB.boligomraade)] })] }),
      }),
    ],
    [
      'no måltype',
      422,
      'R-06',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({ indsatsmaal: [indsatsmaal({ maaltype: undefined })] }),
      }),
    ],
    [
      'two støttebehov',
      422,
      'R-10',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({ stoettebehov: [FFB.letStoettebehov, FFB.moderatStoettebehov] }),
      }),
    ],
    [
      'two primære målgrupper',
      422,
      'R-12',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({ primaerMaalgruppe: [kode(FFB.angst), kode(FFB.autismespektrum)] }),
      }),
    ],
    [
      'slutdato before startdato',
      422,
      'R-17',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({
          ydelser: [{ ydelse: kode(FFB.stoetteTilSocialeRelationer), startdato: '2026-05-01', slutdato: '2026-04-30' }],
        }),
      }),
    ],
    [
      'an impossible date',
      422,
      'FELT.UGYLDIG_DATO',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({ indsatsmaal: [indsatsmaal({ opfoelgningsdato: '2026-02-30' })] }),
      }),
    ],
    [
      'an invalid CPR',
      422,
      'BORGER.CPR_UGYLDIGT',
      () => ({ method: 'POST', path: '/bestillinger', token: t.kommune, body: bestilling({ cpr: '3213704321' }) }),
    ],
    [
      'opfølgning without status på indsats',
      422,
      'R-31',
      () => ({
        method: 'POST',
        path: `${B()}/opfoelgninger`,
        token: t.kommune,
        body: opfoelgning({ statusPaaIndsats: undefined }),
      }),
    ],
    [
      'opfølgning missing a targeted undertema',
      422,
      'R-32',
      () => ({
        method: 'POST',
        path: `${B()}/opfoelgninger`,
        token: t.kommune,
        body: opfoelgning({ funktionsevne: [] }),
      }),
    ],
    [
      'funktionsevneniveau on a Funktioner og forhold undertema',
      422,
      'R-04',
      () => ({
        method: 'POST',
        path: `${B()}/opfoelgninger`,
        token: t.kommune,
        body: opfoelgning({
          funktionsevne: [
            ...opfoelgning().funktionsevne,
            { undertema: kode(FFB.hukommelse), funktionsevneniveau: FFB.niveau1 },
          ],
        }),
      }),
    ],
    [
      'VUM-observation without an undertema',
      422,
      'R-25',
      () => ({
        method: 'POST',
        path: `${B()}/vum-observationer`,
        token: t.tilbud,
        body: vumObservation({ undertemaer: [] }),
      }),
    ],
    [
      'a status that leaves an indsatsmål unanswered',
      422,
      'R-30',
      () => ({
        method: 'POST',
        path: `${B()}/status`,
        token: t.tilbud,
        body: { indsatsmaal: [{ indsatsmaalId: ids.maal1, statustekst: 'x' }] },
      }),
    ],
    [
      'a delmål under an unknown indsatsmål',
      422,
      'R-20',
      () => ({
        method: 'POST',
        path: `${B()}/delmaal`,
        token: t.tilbud,
        body: delmaal('5f1d3c4e-0000-4000-8000-000000000000'),
      }),
    ],
    [
      'accept before kvittering',
      422,
      'BESTILLING.IKKE_KVITTERET',
      () => ({ method: 'POST', path: `/bestillinger/${ids.afgivet}/accept`, token: t.tilbud, body: {} }),
    ],
    [
      'documentation before accept',
      422,
      'BESTILLING.IKKE_ACCEPTERET',
      () => ({
        method: 'POST',
        path: `/bestillinger/${ids.afgivet}/vum-observationer`,
        token: t.tilbud,
        body: vumObservation(),
      }),
    ],
    [
      "another tilbud's bestilling",
      403,
      'ADGANG.ANDET_TILBUD',
      () => ({ method: 'POST', path: `${B()}/vum-observationer`, token: t.andetTilbud, body: vumObservation() }),
    ],
    [
      'another tilbud reads the bestilling',
      403,
      'ADGANG.ANDET_TILBUD',
      () => ({ method: 'GET', path: B(), token: t.andetTilbud }),
    ],
    [
      "another kommune's bestilling",
      403,
      'ADGANG.ANDEN_KOMMUNE',
      () => ({
        method: 'POST',
        path: `${B()}/afslutning`,
        token: t.andenKommune,
        body: { slutdato: '2026-09-30', begrundelse: 'x' },
      }),
    ],
    [
      "a bestilling for another kommune than the token's",
      403,
      'ADGANG.ANDEN_KOMMUNE',
      () => ({ method: 'POST', path: '/bestillinger', token: t.andenKommune, body: bestilling() }),
    ],
    [
      'the myndighed sends an udfører command',
      403,
      'ADGANG.FORKERT_PART',
      () => ({
        method: 'POST',
        path: `/bestillinger/${ids.afgivet}/kvittering`,
        token: t.kommune,
        body: { version: 1 },
      }),
    ],
    ['no token', 401, 'AUTH.MANGLER_TOKEN', () => ({ method: 'POST', path: '/bestillinger', body: bestilling() })],
    [
      'an expired token',
      401,
      'AUTH.UDLOEBET',
      () => ({ method: 'POST', path: '/bestillinger', token: t.udloebet, body: bestilling() }),
    ],
    [
      'an unsigned token (alg none)',
      401,
      'AUTH.UGYLDIGT_TOKEN',
      () => ({ method: 'POST', path: '/bestillinger', token: t.usigneret, body: bestilling() }),
    ],
    [
      'a token signed with another key',
      401,
      'AUTH.UGYLDIGT_TOKEN',
      () => ({ method: 'POST', path: '/bestillinger', token: t.forkertNoegle, body: bestilling() }),
    ],
    [
      'a token of an unknown party',
      401,
      'AUTH.UGYLDIGE_CLAIMS',
      () => ({ method: 'POST', path: '/bestillinger', token: t.ukendtPart, body: bestilling() }),
    ],
    [
      'malformed JSON',
      400,
      'HTTP.UGYLDIG_JSON',
      () => ({ method: 'POST', path: '/bestillinger', token: t.kommune, rawBody: '{"cpr": "0101704321",' }),
    ],
    [
      'a JSON body sent as text/plain',
      415,
      'HTTP.UGYLDIG_MEDIETYPE',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        rawBody: JSON.stringify(bestilling()),
        headers: { 'content-type': 'text/plain' },
      }),
    ],
    [
      'a form-encoded body',
      415,
      'HTTP.UGYLDIG_MEDIETYPE',
      () => ({
        method: 'POST',
        path: `/bestillinger/${ids.afgivet}/kvittering`,
        token: t.tilbud,
        rawBody: 'version=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    ],
    [
      'a 5 MB body',
      413,
      'HTTP.FOR_STOR',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        rawBody: JSON.stringify({ ...bestilling(), indsatsformaal: 'x'.repeat(5 * 1024 * 1024) }),
      }),
    ],
    [
      'a wrong type',
      400,
      'FELT.UGYLDIG_TYPE',
      () => ({
        method: 'POST',
        path: `/bestillinger/${ids.afgivet}/kvittering`,
        token: t.tilbud,
        body: { version: '1' },
      }),
    ],
    [
      'a wrong type deep in a list',
      400,
      'FELT.UGYLDIG_TYPE',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: bestilling({ ydelser: [{ ydelse: kode(FFB.stoetteTilSocialeRelationer), startdato: 20260315 }] }),
      }),
    ],
    [
      'an unknown field',
      400,
      'FELT.UKENDT',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: { ...bestilling(), navn: 'Hans Hansen' },
      }),
    ],
    [
      'a missing field',
      400,
      'FELT.PAAKRAEVET',
      () => ({
        method: 'POST',
        path: '/bestillinger',
        token: t.kommune,
        body: { ...bestilling(), indsatsformaal: undefined },
      }),
    ],
    [
      'a path id that is not a UUID',
      400,
      'HTTP.UGYLDIGT_ID',
      () => ({ method: 'GET', path: '/bestillinger/123', token: t.kommune }),
    ],
    [
      'an unknown bestilling',
      404,
      'BESTILLING.FINDES_IKKE',
      () => ({
        method: 'POST',
        path: '/bestillinger/5f1d3c4e-0000-4000-8000-000000000000/kvittering',
        token: t.tilbud,
        body: { version: 1 },
      }),
    ],
    [
      'an unknown route',
      404,
      'HTTP.UKENDT_RUTE',
      () => ({ method: 'POST', path: '/ordrer', token: t.kommune, body: {} }),
    ],
    [
      'a stale If-Match',
      412,
      'EVENT_STORE.WRONG_EXPECTED_REVISION',
      () => ({
        method: 'POST',
        path: `${B()}/vum-observationer`,
        token: t.tilbud,
        body: vumObservation(),
        headers: { 'if-match': '"0"' },
      }),
    ],
    [
      'a malformed If-Match',
      400,
      'HTTP.UGYLDIG_IF_MATCH',
      () => ({
        method: 'POST',
        path: `${B()}/vum-observationer`,
        token: t.tilbud,
        body: vumObservation(),
        headers: { 'if-match': 'abc' },
      }),
    ],
    [
      'a malformed Idempotency-Key',
      400,
      'HTTP.UGYLDIG_IDEMPOTENCY_KEY',
      () => ({
        method: 'POST',
        path: `${B()}/vum-observationer`,
        token: t.tilbud,
        body: vumObservation(),
        headers: { 'idempotency-key': 'æøå' },
      }),
    ],
  ];

  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)('%s → %i %s, nothing stored', async (_name, status, code, request) => {
    const before = await hub.store.headPosition();
    const { method, path, ...options } = request();
    const res = await hub.call(method, path, options);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect({ status: res.status, code: res.json.code }).toEqual({ status, code });
    expect(res.json).toMatchObject({
      type: `urn:ffb-hub:problem:${code}`,
      status,
      title: expect.any(String),
      detail: expect.any(String),
    });
    expect(Array.isArray(res.json.errors)).toBe(true);
    expect(await hub.store.headPosition()).toBe(before);
  });

  it('names Content-Type and what it expected for a body that is not JSON, and takes JSON with a charset', async () => {
    const refused = await hub.call('POST', '/bestillinger', {
      token: t.kommune,
      rawBody: JSON.stringify(bestilling()),
      headers: { 'content-type': 'text/plain' },
    });
    expect(refused.json.errors).toEqual([
      expect.objectContaining({ field: 'Content-Type', code: 'HTTP.UGYLDIG_MEDIETYPE', expected: 'application/json' }),
    ]);
    const accepted = await hub.call('POST', '/bestillinger', {
      token: t.kommune,
      rawBody: JSON.stringify(bestilling()),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(accepted.status).toBe(201);
  });

  it('names each offending field with what was expected', async () => {
    const res = await hub.call('POST', '/bestillinger', {
      token: t.kommune,
      body: bestilling({ indsatsmaal: [indsatsmaal({ undertema: kode(FFB.hukommelse), maaltype: FFB.niveau1 })] }),
    });
    expect(res.json.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'indsatsmaal[0].undertema',
          code: 'R-01',
          expected: expect.stringContaining('Aktivitet og deltagelse'),
        }),
        expect.objectContaining({ field: 'indsatsmaal[0].maaltype', code: 'R-06' }),
      ]),
    );
  });

  it('a refused bestilling leaves no CPR in the vault', async () => {
    const cpr = '0303904321';
    await hub.call('POST', '/bestillinger', {
      token: t.kommune,
      body: bestilling({ cpr, indsatsmaal: [indsatsmaal({ undertema: kode(FFB.hukommelse) })] }),
    });
    const { openSqlitePiiVault } = await import('@hub/privacy');
    const { join } = await import('node:path');
    const vault = openSqlitePiiVault({ file: join(hub.dataDir, 'pii.sqlite'), masterKey: hub.config.piiMasterKey });
    try {
      expect(await vault.findBorger(cpr)).toBeNull();
      expect(await vault.findBorger('0101704321')).not.toBeNull();
    } finally {
      await vault.close();
    }
  });
});
