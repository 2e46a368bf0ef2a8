import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { ensureTopics, listTopics, readTopic, type KcatRecord } from '@hub/relay/testing/kcat';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { mintDevToken } from '../../apps/hub/src/auth/dev-token';
import { spawnHub, type HubProcess } from './support/processes';
import { bestilling, delmaal, indsatsmaal, opfoelgning, vumObservation } from './support/requests';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const CPR = '0808804321';
const CPR_FORMS = [CPR, '080880-4321'];
/** Names, and a marker in every free-text field the API takes: a scan for "MRK-" finds any of them. */
const NAVN = 'Hans Henrik Hansen';
let n = 0;
const tekst = (what: string) => `MRK-${++n}-${what} om ${NAVN}`;
const markers = () => Array.from({ length: n }, (_, i) => `MRK-${i + 1}-`);
const SECRET = Buffer.alloc(32, 7);

interface LogRow {
  position: number;
  event_id: string;
  stream_id: string;
  type: string;
  data: string;
}

/** The log as the embedded store holds it, read beside the running hub (SQLite WAL admits readers). */
function readLog(dataDir: string): LogRow[] {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT position, event_id, stream_id, type, data FROM events ORDER BY position')
      .all() as LogRow[];
  } finally {
    db.close();
  }
}

/** Every byte of every file the hub keeps (the SQLite files with their WAL), as one latin1 string to search. */
function storedBytes(dataDir: string): string {
  return readdirSync(dataDir)
    .map((f) => join(dataDir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');
}

const utf8AsLatin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** What of the personal data a text shows: markers, the name, the CPR, or ciphertext that was never opened. */
function leaks(text: string): string[] {
  const found = [...markers(), NAVN, ...CPR_FORMS, 'ffbpii:'].filter((s) => text.includes(s));
  return found;
}

describe('erasure by crypto-shredding: after it no party reads the CPR or any free text, and the log is intact', () => {
  let mock: MockKafka;
  let dataDir: string;
  let hub: HubProcess | undefined;
  const output: string[] = [];
  const token: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${(hub as HubProcess).url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token[who]}`,
        purpose: 'opfølgning på indsats',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // NDJSON, CSV: the text is what is scanned
    }
    return { status: res.status, text, json };
  };
  const send = async (who: string, path: string, body: unknown, status = [200, 201]) => {
    const res = await call(who, 'POST', path, body);
    if (!status.includes(res.status)) throw new Error(`${path}: ${res.status} ${res.text}`);
    return res.json as { id: string };
  };
  const start = async (kafka: MockKafka) => {
    hub = await spawnHub(dataDir, {
      HUB_ROLES: 'api,projector,relay',
      HUB_JWT_SECRET: SECRET.toString('base64'),
      LOG_LEVEL: 'debug',
      KAFKA_BROKERS: kafka.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
    });
  };
  const stop = async () => {
    if (!hub) return;
    await hub.stop();
    output.push(hub.output());
    hub = undefined;
  };
  /** Every GET route of /openapi.json with the borger's ids, as the borger's two parties and the analytiker. */
  const readEverything = async (): Promise<{ route: string; who: string; status: number; text: string }[]> => {
    const doc = JSON.parse((await call('kommune', 'GET', '/openapi.json')).text) as { paths: Record<string, object> };
    const results = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      // The API's own documents (their examples) and the ops stream (it never ends) are no borger data.
      if (!('get' in ops) || path === '/openapi.json' || path === '/asyncapi.json' || path.includes('stroem')) continue;
      const concrete = path
        .replace('{bestillingId}', ids['a'] as string)
        .replace('{delmaalId}', ids['delmaal'] as string)
        .replace('{tilbagemeldingId}', ids['tilbagemelding'] as string);
      for (const who of ['kommune', 'tilbud', 'analytiker']) {
        const res = await call(who, 'GET', concrete);
        results.push({ route: `GET ${path}`, who, status: res.status, text: res.text });
      }
    }
    return results;
  };
  const allTopics = async (kafka: MockKafka): Promise<KcatRecord[]> => {
    const names = (await listTopics(kafka.bootstrap)).filter((t) => t.startsWith('ffb.'));
    return (await Promise.all(names.map((t) => readTopic(kafka.bootstrap, t)))).flat();
  };

  beforeAll(async () => {
    mock = await startMockKafka();
    await ensureTopics(mock.bootstrap, ['ffb.myndighed.0101.v1', 'ffb.udfoerer.tilbud-4711.v1']);
    dataDir = mkdtempSync(join(tmpdir(), 'hub-sletning-'));
    token['kommune'] = await mintDevToken(SECRET, { party: 'myndighed', id: '0101' });
    token['andenKommune'] = await mintDevToken(SECRET, { party: 'myndighed', id: '0147' });
    token['tilbud'] = await mintDevToken(SECRET, { party: 'udfoerer', id: 'tilbud-4711' });
    token['tilbud5000'] = await mintDevToken(SECRET, { party: 'udfoerer', id: 'tilbud-5000' });
    token['analytiker'] = await mintDevToken(SECRET, { party: 'analytiker', id: '0101' });
    await start(mock);
  }, 60_000);

  afterAll(async () => {
    await stop();
    await mock?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps free text encrypted at rest, erases it everywhere, keeps every log position, and replays without it', async () => {
    // A whole lifecycle with free text in every field the API takes (every event type that has any).
    const a = await send(
      'kommune',
      '/bestillinger',
      bestilling({
        cpr: CPR,
        borgerensOensker: tekst('ønske'),
        indsatsformaal: tekst('formål'),
        indsatsmaal: [
          indsatsmaal({ maalformulering: tekst('mål'), ansvarligForOpfoelgning: tekst('ansvarlig') }),
          indsatsmaal({ maalformulering: tekst('mål'), ansvarligForOpfoelgning: tekst('ansvarlig') }),
        ],
      }),
    );
    ids['a'] = a.id;
    const p = `/bestillinger/${a.id}`;
    await send('tilbud', `${p}/kvittering`, { version: 1 });
    await send('tilbud', `${p}/accept`, {});
    const foer = await call('kommune', 'GET', p);
    const [maal1, maal2] = (foer.json as { indsatsmaal: { indsatsmaalId: string }[] }).indsatsmaal.map(
      (m) => m.indsatsmaalId,
    );
    await send('kommune', `${p}/aendringer`, {
      begrundelse: tekst('begrundelse'),
      indsatsformaal: tekst('formål'),
      tilfoejIndsatsmaal: [indsatsmaal({ maalformulering: tekst('mål'), ansvarligForOpfoelgning: tekst('ansvarlig') })],
      aendrIndsatsmaal: [
        {
          ...indsatsmaal({ maalformulering: tekst('mål'), ansvarligForOpfoelgning: tekst('ansvarlig') }),
          indsatsmaalId: maal2,
        },
      ],
    });
    await send('tilbud', `${p}/kvittering`, { version: 2 });
    const d = await send(
      'tilbud',
      `${p}/delmaal`,
      delmaal(maal1 as string, {
        navn: tekst('navn'),
        ansvarlig: tekst('ansvarlig'),
        delmaalsplan: {
          formaal: tekst('formål'),
          borgerensMotivation: tekst('motivation'),
          ressourcerOgUdfordringer: tekst('ressourcer'),
          borgerensIndsats: tekst('indsats'),
          medarbejdernesIndsatsOgMetode: tekst('metode'),
        },
      }),
    );
    ids['delmaal'] = d.id;
    const obs = await send('tilbud', `/delmaal/${d.id}/observationer`, {
      observation: tekst('observation'),
      refleksion: tekst('refleksion'),
      score: 2,
      observeret: '2026-03-25T18:30:00+01:00',
    });
    await send('tilbud', `/delmaal/${d.id}/evalueringer`, {
      dato: '2026-06-01',
      hvordanGaarDet: tekst('hvordan'),
      virkningForBorgeren: tekst('virkning'),
      borgerensOplevelse: tekst('oplevelse'),
      refleksionerOverMetoder: tekst('metoder'),
      giverAnledningTilAendringer: false,
      udvikling: 'fremgang',
      konklusion: tekst('konklusion'),
    });
    const vum = await send('tilbud', `${p}/vum-observationer`, vumObservation({ tekst: tekst('vum') }));
    const state = await call('kommune', 'GET', p);
    const aktive = (state.json as { indsatsmaal: { indsatsmaalId: string; aktiv: boolean }[] }).indsatsmaal
      .filter((m) => m.aktiv)
      .map((m) => ({ indsatsmaalId: m.indsatsmaalId, statustekst: tekst('status') }));
    await send('tilbud', `${p}/status`, { indsatsmaal: aktive });
    const tilbagemelding = await send('tilbud', `${p}/tilbagemeldinger`, {
      trigger: 'T3',
      tekst: tekst('tilbagemelding'),
      indsatsmaalId: maal1,
      observationer: [
        { type: 'delmaal', observationId: obs.id, delmaalId: d.id },
        { type: 'vum', observationId: vum.id },
      ],
    });
    ids['tilbagemelding'] = tilbagemelding.id;
    await send('kommune', `${p}/tilbagemeldinger/${tilbagemelding.id}/kvittering`, {
      bemaerkning: tekst('bemærkning'),
    });
    await send(
      'kommune',
      `${p}/opfoelgninger`,
      opfoelgning({
        borgerensVurdering: tekst('vurdering'),
        udfoerersVurdering: tekst('vurdering'),
        sagsbehandlersVurdering: tekst('vurdering'),
      }),
    );
    await send('tilbud', `/delmaal/${d.id}/afslutning`, {
      maalopfyldelse: 'delvist_opnaaet',
      konklusion: tekst('konklusion'),
    });
    // Two more bestillinger of the borger: one annulleret, one afvist (each with its begrundelse).
    const b = await send('kommune', '/bestillinger', bestilling({ cpr: CPR }));
    await send('kommune', `/bestillinger/${b.id}/annullering`, { begrundelse: tekst('annullering') });
    const c = await send('kommune', '/bestillinger', bestilling({ cpr: CPR, tilbudId: 'tilbud-5000' }));
    // The parties see the text while the borger is there: it is opened for them (never ciphertext).
    const aaben = await call('kommune', 'GET', p);
    expect(aaben.text).toContain('MRK-1-ønske');
    expect(aaben.text).not.toContain('ffbpii:');

    // While an indsats is active the borger cannot be erased; only the borger's own myndighed may try.
    const aktiv = await call('kommune', 'POST', '/sletning', { cpr: CPR });
    expect([aktiv.status, aktiv.json?.code]).toEqual([422, 'BORGER.AKTIV_INDSATS']);
    expect(JSON.stringify(aktiv.json.errors.map((e: { message: string }) => e.message))).toContain(a.id);
    expect((await call('tilbud', 'POST', '/sletning', { cpr: CPR })).status).toBe(403);
    expect((await call('andenKommune', 'POST', '/sletning', { cpr: CPR })).status).toBe(404);
    await send('tilbud5000', `/bestillinger/${c.id}/kvittering`, { version: 1 });
    await send('tilbud5000', `/bestillinger/${c.id}/afvisning`, { begrundelse: tekst('afvisning') });
    await send('kommune', `${p}/afslutning`, { slutdato: '2026-09-30', begrundelse: tekst('afslutning') });

    // At rest, the hub's files hold no free text and no CPR in clear: only ciphertext under the borger's key.
    await eventually(
      () => readTopic(mock.bootstrap, 'ffb.myndighed.0101.v1'),
      (records) => records.some((r) => r.headers['ce_type'] === 'dk.ffb.bestilling.afvist.v1'),
      30_000,
      'the afvisning relayed',
    );
    const raw = storedBytes(dataDir);
    const inClear = [...markers(), NAVN, ...CPR_FORMS].filter((s) => raw.includes(utf8AsLatin1(s)));
    expect(inClear).toEqual([]);
    expect(raw).toContain('ffbpii:1:');
    // The parties received the text over Kafka, opened: the udfører with the CPR in bestilling afgivet.
    const udfoererFoer = await readTopic(mock.bootstrap, 'ffb.udfoerer.tilbud-4711.v1');
    expect(udfoererFoer.map((r) => r.payload).join('\n')).toContain('MRK-1-ønske');
    expect(udfoererFoer.map((r) => r.payload).join('\n')).toContain(CPR);
    expect(udfoererFoer.map((r) => r.payload).join('\n')).not.toContain('ffbpii:');

    // Every GET route as each party, before the erasure: the answers carry the text, opened (never ciphertext).
    const svarFoer = await readEverything();
    const statusFoer = svarFoer.map((r) => `${r.who} ${r.route} ${r.status}`);
    expect(svarFoer.filter((r) => r.text.includes('ffbpii:')).map((r) => `${r.who} ${r.route}`)).toEqual([]);
    expect(svarFoer.filter((r) => r.status >= 500).map((r) => `${r.who} ${r.route} ${r.status}`)).toEqual([]);
    expect(svarFoer.filter((r) => r.status === 200 && r.text.includes('MRK-')).length).toBeGreaterThan(5);

    const logFoer = readLog(dataDir);
    const sletning = await call('kommune', 'POST', '/sletning', { cpr: CPR });
    expect(sletning.status).toBe(200);
    expect(sletning.json.bestillinger.sort()).toEqual([a.id, b.id, c.id].sort());
    const borgerId = sletning.json.borgerId as string;

    // The log is intact: every event keeps its position, id and content; the erasure is one event more.
    const logEfter = readLog(dataDir);
    expect(logEfter.slice(0, logFoer.length)).toEqual(logFoer);
    const nye = logEfter.slice(logFoer.length);
    expect(nye.map((e) => [e.position, e.stream_id, e.type])).toEqual([
      [sletning.json.position, `borger-${borgerId}`, 'BorgerSlettet'],
    ]);
    expect(leaks(nye.map((e) => e.data).join('\n'))).toEqual([]);

    // No party reads any of it from any route: the state, the read models, the exports.
    const svar = await readEverything();
    expect(svar.filter((r) => leaks(r.text).length > 0).map((r) => `${r.who} ${r.route}: ${leaks(r.text)}`)).toEqual(
      [],
    );
    // The same answers as before, only without the text: no route fails or hides the borger's bestillinger.
    expect(svar.map((r) => `${r.who} ${r.route} ${r.status}`)).toEqual(statusFoer);
    const efter = await call('kommune', 'GET', p);
    expect(efter.json.borgerensOensker).toBe('[slettet]');
    expect(efter.json.indsatsmaal.map((m: { maalformulering: string }) => m.maalformulering)).toEqual(
      expect.arrayContaining(['[slettet]']),
    );
    const oversigt = await call('kommune', 'GET', `/myndighed/bestillinger/${a.id}`);
    expect(oversigt.status).toBe(200);
    expect(oversigt.text).toContain('[slettet]');
    // Nothing more can be recorded about the borger, and the erasure cannot be repeated or looked up by CPR.
    expect((await call('kommune', 'POST', '/sletning', { cpr: CPR })).status).toBe(404);
    expect((await call('kommune', 'POST', '/indsigt', { cpr: CPR })).status).toBe(404);

    // Every party topic that carried the borger gets the erasure notice, after everything else about it.
    const forventet = {
      'ffb.myndighed.0101.v1': [a.id, b.id, c.id].sort(),
      'ffb.udfoerer.tilbud-4711.v1': [a.id, b.id].sort(),
      'ffb.udfoerer.tilbud-5000.v1': [c.id],
    };
    const erNotits = (r: KcatRecord) => r.headers['ce_type'] === 'dk.ffb.borger.slettet.v1';
    const perTopic = await eventually(
      () => Promise.all(Object.keys(forventet).map((topic) => readTopic(mock.bootstrap, topic))),
      (all) => all.every((records) => records.some(erNotits)),
      30_000,
      'the erasure notices',
    );
    for (const [i, [topic, bestillinger]] of Object.entries(forventet).entries()) {
      const records = perTopic[i] as KcatRecord[];
      const notice = records.filter(erNotits);
      expect([topic, notice.length]).toEqual([topic, 1]);
      const data = JSON.parse(notice[0]?.payload as string) as { borgerId: string; bestillingIds: string[] };
      expect([topic, data.borgerId, [...data.bestillingIds].sort()]).toEqual([topic, borgerId, bestillinger]);
      expect(notice[0]?.key).toBe(borgerId);
    }
    const andenKommunesTopics = (await listTopics(mock.bootstrap)).filter((t) => t.includes('0147'));
    expect(andenKommunesTopics).toEqual([]);

    // An analyst's replay as of a past position, from before the erasure, shows none of it either.
    const asof = join(dataDir, 'asof.ndjson');
    await run(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        join(ROOT, 'scripts/read-models.ts'),
        'asof',
        'sagsoversigt',
        String(logFoer.length),
        '--out',
        asof,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, HUB_DATA_DIR: dataDir, HUB_JWT_SECRET: SECRET.toString('base64') },
        timeout: 60_000,
      },
    );
    const asofText = readFileSync(asof, 'utf8');
    rmSync(asof);
    expect(asofText).toContain('[slettet]');
    expect(leaks(asofText)).toEqual([]);

    // Replay: the read models rebuilt from the log and the relay from position 0, to a new broker.
    await stop();
    for (const f of readdirSync(dataDir)) {
      if (f.startsWith('read.sqlite') || f.startsWith('kafka.sqlite')) rmSync(join(dataDir, f));
    }
    const ny = await startMockKafka();
    try {
      await start(ny);
      const replayed = await eventually(
        () => allTopics(ny),
        (records) => records.filter(erNotits).length === 3,
        30_000,
        'the relay replayed to the erasure',
      );
      const afgivet = replayed.filter((r) => r.headers['ce_type'] === 'dk.ffb.bestilling.afgivet.v1');
      expect(afgivet).toHaveLength(3);
      expect(afgivet.map((r) => (JSON.parse(r.payload as string) as { cpr: unknown }).cpr)).toEqual([null, null, null]);
      expect(leaks(replayed.map((r) => `${r.payload} ${JSON.stringify(r.headers)}`).join('\n'))).toEqual([]);
      expect(replayed.map((r) => r.payload).join('\n')).toContain('[slettet]');
      await eventually(
        () => call('kommune', 'GET', `/myndighed/bestillinger/${a.id}`),
        (res) => res.status === 200,
        30_000,
        'the read models rebuilt',
      );
      const svarEfterReplay = await readEverything();
      expect(
        svarEfterReplay.filter((r) => leaks(r.text).length > 0).map((r) => `${r.who} ${r.route}: ${leaks(r.text)}`),
      ).toEqual([]);
      expect(svarEfterReplay.map((r) => `${r.who} ${r.route} ${r.status}`)).toEqual(statusFoer);
      const igen = await call('kommune', 'GET', `/myndighed/bestillinger/${a.id}`);
      expect([igen.status, igen.text.includes('[slettet]')]).toEqual([200, true]);
      expect(readLog(dataDir)).toEqual(logEfter);
    } finally {
      await stop();
      await ny.stop();
    }

    // Neither process logged the CPR, the name or any free text, at debug level.
    const lines = output.join('\n').split('\n');
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.filter((l) => leaks(l).length > 0)).toEqual([]);
  }, 180_000);
});
