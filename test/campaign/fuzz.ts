import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mintDevToken } from '../../apps/hub/src/auth/dev-token';
import { KAFKA_COMMANDS } from '../../apps/hub/src/kafka/kafka-commands';
import { ensureTopics, produce, readTopic } from '../../libs/relay/src/testing/kcat';
import { eventually, mockClusterConfig } from '../../libs/relay/src/testing/mock-cluster.config';
import { createKafka } from '../../libs/relay/src/kafkajs/kafka-client';
import { createKafkaPublisher } from '../../libs/relay/src/kafkajs/kafkajs.publisher';
import { startMockKafka } from '../../libs/relay/src/testing/mock-kafka';
import { spawnHub, type HubProcess } from '../e2e/support/processes';
import { bestilling, delmaal, opfoelgning, vumObservation } from '../e2e/support/requests';
import { rawRequest, type RawRequest } from './http-raw';

export interface FuzzSummary {
  requests: number;
  kafkaMessages: number;
  /** HTTP status (or `no-answer`) → count. */
  status: Record<string, number>;
  server5xx: number;
  /** Rejected requests or messages after which the event log's head had moved. */
  stateChanges: number;
  crashes: number;
  failures: string[];
}

export interface FuzzOptions {
  /** Hostile HTTP requests; the Kafka part sends a third of this many messages (at least 10). */
  runs: number;
  /** Kafka messages, when not a third of `runs`. */
  kafkaRuns?: number;
  seed?: number;
  log?: (line: string) => void;
}

const TILBUD_TOPIC = 'ffb.kommando.udfoerer.tilbud-4711.v1';
const KOMMUNE_TOPIC = 'ffb.kommando.myndighed.0101.v1';
const DLQ_TOPICS = ['ffb.dlq.udfoerer.tilbud-4711.v1', 'ffb.dlq.myndighed.0101.v1'];
const BODY_LIMIT = 1024 * 1024;

interface Ids {
  bestilling: string;
  maal: string;
  delmaal: string;
  tilbagemelding: string;
}

interface Tokens {
  kommune: string;
  tilbud: string;
  analytiker: string;
}

/** A route of /openapi.json. */
interface Route {
  readonly method: 'GET' | 'POST';
  readonly template: string;
  readonly query: readonly string[];
}

/** One hostile HTTP request, still symbolic (the token by role, ids by kind), so fast-check can print it. */
interface Attack {
  readonly kind: string;
  readonly route: Route;
  readonly pathIds: readonly string[];
  readonly query: string;
  readonly auth: 'own' | 'kommune' | 'tilbud' | 'none' | 'garbage';
  readonly headers: ReadonlyArray<readonly [string, string | Buffer]>;
  readonly body?: Buffer;
}

/**
 * Hostile input against a hub running as its own process: HTTP requests to every route of its /openapi.json and
 * messages on its inbound Kafka command topics. Never throws for what it finds: each broken property is a line in
 * `failures`, for the caller to judge.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const summary: FuzzSummary = {
    requests: 0,
    kafkaMessages: 0,
    status: {},
    server5xx: 0,
    stateChanges: 0,
    crashes: 0,
    failures: [],
  };
  const fail = (line: string) => {
    summary.failures.push(line);
    log(`FAIL ${line}`);
  };
  log(`fuzz: seed ${seed}, ${options.runs} HTTP requests`);
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-fuzz-'));
  const secret = randomBytes(32);
  const mock = await startMockKafka();
  let hub: HubProcess | undefined;
  let db: Database.Database | undefined;
  try {
    await ensureTopics(mock.bootstrap, [TILBUD_TOPIC, KOMMUNE_TOPIC, ...DLQ_TOPICS]);
    hub = await spawnHub(dataDir, {
      HUB_JWT_SECRET: secret.toString('base64'),
      HUB_ROLES: 'api,projector,relay',
      HUB_RATE_LIMIT_PER_MINUTE: '0',
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
    });
    const tokens: Tokens = {
      kommune: await mintDevToken(secret, { party: 'myndighed', id: '0101' }),
      tilbud: await mintDevToken(secret, { party: 'udfoerer', id: 'tilbud-4711' }),
      analytiker: await mintDevToken(secret, { party: 'analytiker', id: '0101' }),
    };
    const ids = await seed_(hub.url, tokens);
    log(`fuzz: seeded bestilling ${ids.bestilling}, delmål ${ids.delmaal}`);
    db = new Database(join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
    const headStmt = db.prepare('SELECT coalesce(max(position), 0) AS head FROM events');
    const head = () => (headStmt.get() as { head: number }).head;
    const routes = await readRoutes(hub.url);
    const port = Number(new URL(hub.url).port);
    const running = hub;
    const alive = () => running.child.exitCode === null && running.child.signalCode === null;

    // HTTP
    const attacks = fc.sample(attackArb(routes, ids), { numRuns: options.runs, seed });
    for (const [i, attack] of attacks.entries()) {
      if (!alive()) break;
      const request = materialise(attack, ids, tokens);
      const before = head();
      const response = await rawRequest(port, request);
      summary.requests += 1;
      const label = `#${i} ${attack.kind} ${request.method} ${request.path.slice(0, 120)}`;
      if ('error' in response) {
        summary.status['no-answer'] = (summary.status['no-answer'] ?? 0) + 1;
        const sent = request.headers.map(([n, v]) => `${n}: ${JSON.stringify(String(v).slice(0, 30))}`).join('; ');
        fail(`${label}: no answer (${response.error}) [${sent}; body ${request.body?.length ?? 0} B]`);
        continue;
      }
      const { status } = response;
      summary.status[String(status)] = (summary.status[String(status)] ?? 0) + 1;
      if (status >= 500) {
        summary.server5xx += 1;
        const logged = running
          .output()
          .split('\n')
          .filter((line) => line.includes('"level":50'))
          .slice(-1)
          .join('')
          .slice(0, 400);
        fail(`${label}: ${status} ${response.body.subarray(0, 200).toString()} | hub log: ${logged}`);
      }
      if (status >= 300) {
        const type = response.headers['content-type'] ?? '';
        let code: unknown;
        try {
          code = (JSON.parse(response.body.toString('utf8')) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        if (!type.startsWith('application/problem+json') || typeof code !== 'string' || code === '')
          fail(`${label}: ${status} is not problem+json with a code (${type}: ${response.body.subarray(0, 200)})`);
        const after = head();
        if (after !== before) {
          summary.stateChanges += 1;
          fail(`${label}: rejected with ${status}, but the log's head moved ${before} → ${after}`);
        }
      }
    }
    if (!alive()) {
      summary.crashes += 1;
      fail(`the hub exited during the HTTP fuzz: ${hub.output().slice(-2000)}`);
      return summary;
    }
    log(`fuzz: HTTP done, ${JSON.stringify(summary.status)}`);

    // Kafka
    const kafkaRuns = options.kafkaRuns ?? Math.max(10, Math.floor(options.runs / 3));
    await fuzzKafka(mock.bootstrap, ids, kafkaRuns, seed, db, summary, fail, log, () => running.output());
    if (!alive()) {
      summary.crashes += 1;
      fail(`the hub exited during the Kafka fuzz: ${hub.output().slice(-2000)}`);
    }
    return summary;
  } catch (error) {
    fail(`the campaign itself broke: ${error instanceof Error ? error.stack : String(error)}`);
    if (hub && (hub.child.exitCode !== null || hub.child.signalCode !== null)) summary.crashes += 1;
    return summary;
  } finally {
    db?.close();
    await hub?.stop();
    await mock.stop();
    rmSync(dataDir, { recursive: true, force: true });
    log(`fuzz: ${JSON.stringify({ ...summary, failures: summary.failures.length })}`);
  }
}

/** A little valid state: a bestilling afgivet, kvitteret and accepteret, a delmål and a tilbagemelding. */
async function seed_(url: string, tokens: Tokens): Promise<Ids> {
  const send = async (token: string, path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, any>;
    if (res.status < 200 || res.status > 299) throw new Error(`seeding ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const id = (await send(tokens.kommune, '/bestillinger', bestilling())).id as string;
  await send(tokens.tilbud, `/bestillinger/${id}/kvittering`, { version: 1 });
  await send(tokens.tilbud, `/bestillinger/${id}/accept`, {});
  const state = await send(tokens.kommune, `/bestillinger/${id}`, undefined);
  const maal = state.indsatsmaal[0].indsatsmaalId as string;
  const delmaalId = (await send(tokens.tilbud, `/bestillinger/${id}/delmaal`, delmaal(maal))).id as string;
  const tilbagemelding = (
    await send(tokens.tilbud, `/bestillinger/${id}/tilbagemeldinger`, { trigger: 'ANDET', tekst: 'TB' })
  ).id as string;
  return { bestilling: id, maal, delmaal: delmaalId, tilbagemelding };
}

async function readRoutes(url: string): Promise<Route[]> {
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
  };
  const routes: Route[] = [];
  for (const [template, operations] of Object.entries(doc.paths))
    for (const [method, operation] of Object.entries(operations)) {
      if (method !== 'get' && method !== 'post') continue;
      routes.push({
        method: method.toUpperCase() as 'GET' | 'POST',
        template,
        query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      });
    }
  if (routes.length < 10) throw new Error(`/openapi.json lists only ${routes.length} routes`);
  return routes;
}

/** The myndighed's routes; every other command is the udfører's, and reads are open to both. */
const MYNDIGHED = [
  /^\/bestillinger$/,
  /\/aendringer$/,
  /\/annullering$/,
  /\/tilbagemeldinger\/\{[^}]+\}\/kvittering$/,
  /\/opfoelgninger$/,
  /^\/bestillinger\/\{[^}]+\}\/afslutning$/,
  /^\/indsigt$/,
  /^\/sletning$/,
  /^\/myndighed\//,
];

/** A valid body per command route, for mutation: one field at a time gets a hostile value. */
function validBody(route: Route, ids: Ids): Record<string, unknown> {
  const t = route.template;
  if (t === '/bestillinger') return bestilling();
  if (t.endsWith('/kvittering') && t.includes('tilbagemeldinger')) return {};
  if (t.endsWith('/kvittering')) return { version: 1 };
  if (t.endsWith('/annullering') || t.endsWith('/afvisning')) return { begrundelse: 'Ikke muligt nu.' };
  if (t.endsWith('/aendringer'))
    return { indsatsmaal: { tilfoej: [], aendr: [], afslut: [] }, ydelser: { tilfoej: [], afslut: [] } };
  if (t.endsWith('/delmaal')) return delmaal(ids.maal);
  if (t.endsWith('/vum-observationer')) return vumObservation();
  if (t.endsWith('/status')) return { indsatsmaal: [{ indsatsmaalId: ids.maal, statustekst: 'Status' }] };
  if (t.endsWith('/tilbagemeldinger')) return { trigger: 'ANDET', tekst: 'TB' };
  if (t.endsWith('/opfoelgninger')) return opfoelgning();
  if (t.startsWith('/bestillinger') && t.endsWith('/afslutning'))
    return { slutdato: '2026-06-30', begrundelse: 'Slut' };
  if (t.endsWith('/observationer')) return { observation: 'Obs', observeret: '2026-04-01T10:00:00Z', score: 3 };
  if (t.endsWith('/evalueringer')) return { evaluering: 'Går godt', maalopfyldelse: 'delvist_opnaaet' };
  if (t.startsWith('/delmaal') && t.endsWith('/afslutning'))
    return { maalopfyldelse: 'delvist_opnaaet', konklusion: 'K' };
  if (t === '/indsigt' || t === '/sletning') return { cpr: '0101704321' };
  return {};
}

/** Every path to a value inside a JSON object, e.g. ['indsatsmaal', 0, 'undertema']. */
function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value))
    return [prefix, ...value.flatMap((v, i) => leafPaths(v, [...prefix, i]))].filter((p) => p.length > 0);
  if (value !== null && typeof value === 'object')
    return [prefix, ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]))].filter(
      (p) => p.length > 0,
    );
  return prefix.length > 0 ? [prefix] : [];
}

function setAt(target: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(target) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1] as string | number] = value;
  return copy;
}

const CONTROL = fc.constantFrom('\x00', '\x01', '\x07', '\x08', '\x0b', '\x1b', '\x7f', '\r', '\n', '\r\n', '\t');
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.tuple(fc.string({ maxLength: 10 }), CONTROL, fc.string({ maxLength: 10 })).map(([a, c, b]) => a + c + b),
  fc.constantFrom('', ' ', '"', "'; DROP TABLE events; --", '../../etc/passwd', '%00', '\u202e', '\ud800', '💥'),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  hostileText,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, [], {}, [[[]]], { $gt: '' }),
  fc.constantFrom('2026-02-30', '0000-00-00', '9999-12-31T99:99:99Z', 'NaN', 'Infinity', '0101704321'),
  fc.nat({ max: 400_000 }).map((n) => 'x'.repeat(n)),
);

/** Deep nesting as text (what a JSON.stringify of such a value would overflow on). */
const deep = (levels: number, kind: 'array' | 'object' | 'field') =>
  kind === 'array'
    ? '['.repeat(levels) + ']'.repeat(levels)
    : kind === 'object'
      ? '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
      : '{"indsatsmaal":' +
        '['.repeat(levels) +
        ']'.repeat(levels) +
        ',"begrundelse":' +
        '{"a":'.repeat(levels) +
        '1' +
        '}'.repeat(levels) +
        '}';

function attackArb(routes: readonly Route[], ids: Ids): fc.Arbitrary<Attack> {
  const route = fc.constantFrom(...routes);
  const pathId = fc.oneof(
    { weight: 6, arbitrary: fc.constant('real') },
    fc.uuid().map((u) => u),
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => encodeURIComponent(s)),
    fc.constantFrom('..', '%2e%2e', '%00', '%ZZ', 'null', '-1', 'x'.repeat(5000), ids.delmaal.toUpperCase()),
  );
  const query = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    fc
      .array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 30 })), { maxLength: 5 })
      .map((pairs) => '?' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
    fc.constantFrom(
      '?limit=-1',
      '?limit=1e309',
      '?limit=99999999999999999999&offset=-5',
      '?offset=abc&limit=',
      '?fase=%00',
      '?%',
      '?a=%zz',
      '?fra=2026-13-45&til=yesterday',
      '?limit=1&limit=2&limit=3',
      '?limit[]=1',
      '?limit[a][b][c][d][e][f][g]=1',
      '?__proto__[polluted]=1',
      '?constructor[prototype][polluted]=1',
      '?' + 'a='.repeat(2000),
      '?kommunekode=0147',
      '?gruppering=' + 'x'.repeat(10_000),
      '?borgerId=%27%20OR%201%3D1',
    ),
  );
  const auth = fc.oneof(
    { weight: 8, arbitrary: fc.constant<'own'>('own') },
    fc.constantFrom<Attack['auth']>('kommune', 'tilbud', 'none', 'garbage'),
  );
  const json = 'application/json';
  const body = (r: Route): fc.Arbitrary<{ kind: string; body?: Buffer; contentType?: string }> =>
    fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: 'any-json', body: Buffer.from(JSON.stringify(v) ?? 'null') })),
      fc.anything({ maxDepth: 3 }).map((v) => {
        let text: string;
        try {
          text = JSON.stringify(v) ?? 'undefined';
        } catch {
          text = String(v);
        }
        return { kind: 'anything', body: Buffer.from(text) };
      }),
      {
        weight: 4,
        arbitrary: fc.tuple(fc.nat(), hostileValue).map(([n, value]) => {
          const valid = validBody(r, ids);
          const paths = leafPaths(valid);
          const mutated =
            paths.length === 0 ? { [`felt${n % 5}`]: value } : setAt(valid, paths[n % paths.length] ?? [], value);
          return { kind: 'mutated', body: Buffer.from(JSON.stringify(mutated)) };
        }),
      },
      fc
        .constantFrom(10_000, 50_000)
        .chain((levels) =>
          fc
            .constantFrom<'array' | 'object' | 'field'>('array', 'object', 'field')
            .map((k) => ({ kind: `deep-${k}-${levels}`, body: Buffer.from(deep(levels, k)) })),
        ),
      fc.constantFrom(BODY_LIMIT + 1, BODY_LIMIT * 3).map((n) => ({
        kind: 'oversize',
        body: Buffer.from(JSON.stringify({ begrundelse: 'x'.repeat(n) })),
      })),
      fc
        .constantFrom(
          Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
          Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
          Buffer.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d]),
          Buffer.from('{"begrundelse":"\\ud800"}'),
          Buffer.from('{"a":1,"a":2}'),
          Buffer.from('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'),
          Buffer.from('{'),
          Buffer.from(''),
          Buffer.from('null'),
          Buffer.from('1e999999'),
          Buffer.from('"' + 'x'.repeat(100) + '"'),
        )
        .map((b) => ({ kind: 'bad-bytes', body: b })),
      fc
        .tuple(
          fc.constantFrom(
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
            'application/vnd.ffb+json',
            'application/octet-stream',
            '',
            'json',
            '*/*',
            'application/json\x01',
          ),
          fc.constantFrom(
            '{"version":1}',
            'a=1&b=2',
            '<x/>',
            '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
          ),
        )
        .map(([contentType, text]) => ({ kind: 'content-type', body: Buffer.from(text), contentType })),
      fc.constant({ kind: 'no-content-type', body: Buffer.from(JSON.stringify(validBody(r, ids))), contentType: '' }),
    );
  const badHeaders = fc.array(
    fc.tuple(
      fc.constantFrom(
        'Idempotency-Key',
        'If-Match',
        'Purpose',
        'Authorization',
        'Content-Type',
        'X-Correlation-Id',
        'Accept',
      ),
      fc.oneof(
        hostileText,
        fc.constantFrom('"0"', '"-1"', 'W/"1"', '*', '"' + 'x'.repeat(10_000) + '"', randomUUID(), 'Bearer '),
      ),
    ),
    { maxLength: 3 },
  );
  return fc
    .tuple(route, fc.array(pathId, { minLength: 2, maxLength: 2 }), query, auth, badHeaders)
    .chain(([r, pathIds, q, a, headers]) =>
      (r.method === 'POST'
        ? body(r)
        : fc.constant<{ kind: string; body?: Buffer; contentType?: string }>({ kind: 'read' })
      ).map((b): Attack => ({
        kind: headers.length > 0 ? `${b.kind}+headers` : b.kind,
        route: r,
        pathIds,
        query: q,
        auth: a,
        headers: [
          ...(b.body !== undefined ? [['Content-Type', b.contentType ?? json] as const] : []),
          ...headers.map(([name, value]) => [name, value] as const),
        ].filter(([name, value]) => !(name === 'Content-Type' && value === '')),
        ...(b.body !== undefined ? { body: b.body } : {}),
      })),
    );
}

function materialise(attack: Attack, ids: Ids, tokens: Tokens): RawRequest {
  let n = 0;
  const path = attack.route.template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const choice = attack.pathIds[n++] ?? 'real';
    if (choice !== 'real') return choice;
    return name === 'tilbagemeldingId' ? ids.tilbagemelding : name === 'delmaalId' ? ids.delmaal : ids.bestilling;
  });
  const own = attack.route.template.startsWith('/analyse')
    ? tokens.analytiker
    : MYNDIGHED.some((r) => r.test(attack.route.template))
      ? tokens.kommune
      : tokens.tilbud;
  const token = {
    own,
    kommune: tokens.kommune,
    tilbud: tokens.tilbud,
    none: undefined,
    garbage: 'eyJhbGciOiJub25lIn0.eyJwYXJ0eSI6Im15bmRpZ2hlZCJ9.',
  }[attack.auth];
  const headers = [...attack.headers];
  if (token !== undefined && !headers.some(([name]) => name === 'Authorization'))
    headers.unshift(['Authorization', `Bearer ${token}`]);
  return {
    method: attack.route.method,
    path: path + attack.query,
    headers,
    ...(attack.body !== undefined ? { body: attack.body } : {}),
  };
}

interface KafkaAttack {
  readonly kind: string;
  readonly topic: string;
  readonly headers: Record<string, string>;
  readonly value: string;
}

function kafkaArb(ids: Ids): fc.Arbitrary<KafkaAttack> {
  const types = KAFKA_COMMANDS.map((c) => c.type);
  const ceType = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...types) },
    fc.constantFrom('', 'dk.ffb.kommando.v1', 'dk.ffb.kommando.AfgivBestilling.v1', 'dk.ffb.bestilling.afgivet.v1'),
    fc.string({ maxLength: 40 }),
  );
  const header = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined, freq: 4 });
  const cleanText = fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n=]/g, ''));
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom('', '{', 'null', '[]', '"x"', '{"bestillingId":"not-a-uuid"}', '{"a":1,"a":2}'),
    fc.constant('['.repeat(10_000) + ']'.repeat(10_000)),
    fc.tuple(fc.nat(), hostileValue).map(([n, v]) => {
      const valid: Record<string, unknown> = {
        bestillingId: ids.bestilling,
        delmaalId: ids.delmaal,
        ...vumObservation(),
      };
      const keys = Object.keys(valid);
      valid[keys[n % keys.length] as string] = v;
      return JSON.stringify(valid);
    }),
  );
  return fc
    .record({
      topic: fc.constantFrom(TILBUD_TOPIC, KOMMUNE_TOPIC),
      specversion: header(fc.oneof({ weight: 5, arbitrary: fc.constant('1.0') }, cleanText)),
      ceId: fc.oneof({ weight: 4, arbitrary: fc.constant('unique') }, fc.constantFrom('missing', 'empty', 'long')),
      type: header(ceType),
      source: header(fc.oneof(fc.constant('urn:fuzz'), cleanText)),
      contentType: header(
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', 'application/xml', ''),
      ),
      extra: fc.dictionary(fc.stringMatching(/^[a-z_]{1,12}$/), cleanText, { maxKeys: 3 }),
      value,
    })
    .map((r) => {
      const headers: Record<string, string> = { ...r.extra };
      if (r.specversion !== undefined) headers['ce_specversion'] = r.specversion;
      if (r.type !== undefined) headers['ce_type'] = r.type;
      if (r.source !== undefined) headers['ce_source'] = r.source;
      if (r.contentType !== undefined) headers['content-type'] = r.contentType;
      const id = randomUUID();
      if (r.ceId === 'unique') headers['ce_id'] = `fuzz-${id}`;
      else if (r.ceId === 'empty') headers['ce_id'] = '';
      else if (r.ceId === 'long') headers['ce_id'] = `fuzz-${id}-${'x'.repeat(1000)}`;
      else delete headers['ce_id'];
      return { kind: r.ceId, topic: r.topic, headers, value: r.value };
    });
}

/**
 * Every hostile message ends on its sender's dead-letter topic or is a valid command that was applied (an event caused
 * by its ce_id); the rejected ones leave the log as it was; a valid command sent after them is applied (the consumer
 * keeps going).
 */
async function fuzzKafka(
  bootstrap: string,
  ids: Ids,
  runs: number,
  seed: number,
  db: Database.Database,
  summary: FuzzSummary,
  fail: (line: string) => void,
  log: (line: string) => void,
  hubOutput: () => string,
): Promise<void> {
  const attacks = fc.sample(kafkaArb(ids), { numRuns: runs, seed: seed + 1 });
  const before = (db.prepare('SELECT coalesce(max(position), 0) AS head FROM events').get() as { head: number }).head;
  const sent: { key: string; ceId: string | undefined; attack: KafkaAttack }[] = [];
  // kafkajs, not kcat, sends the attacks: kcat sends nothing at all for an empty value, and an empty body is one of
  // the attacks.
  const config = mockClusterConfig([bootstrap]);
  const publisher = createKafkaPublisher(createKafka(config), config);
  try {
    for (const [i, attack] of attacks.entries()) {
      const key = `fuzz-${i}-${randomUUID()}`;
      sent.push({ key, ceId: attack.headers['ce_id'], attack });
      await publisher.send([{ topic: attack.topic, key, headers: attack.headers, value: attack.value }]);
      summary.kafkaMessages += 1;
    }
  } finally {
    await publisher.close();
  }
  // A valid command after the garbage: it must still be applied. A new bestilling, valid whatever the HTTP attacks did
  // to the seeded one (a long run's valid afslutning made a VUM-observation on it a rightful refusal).
  const canary = `fuzz-canary-${randomUUID()}`;
  await produce(bootstrap, {
    topic: KOMMUNE_TOPIC,
    key: canary,
    headers: {
      ce_specversion: '1.0',
      ce_id: canary,
      ce_type: 'dk.ffb.kommando.afgivbestilling.v1',
      ce_source: 'urn:fuzz',
      'content-type': 'application/json',
    },
    value: JSON.stringify(bestilling({ cpr: '3112994321' })),
  });
  log(`fuzz: ${attacks.length} Kafka messages and a canary produced`);
  const causes = db.prepare('SELECT metadata FROM events WHERE position > ?');
  const observe = async () => {
    const dlq = new Set<string>();
    for (const topic of DLQ_TOPICS)
      for (const record of await readTopic(bootstrap, topic)) if (record.key) dlq.add(record.key);
    const caused = new Set(
      causes
        .all(before)
        .map((row) => (JSON.parse((row as { metadata: string }).metadata) as { causationId?: string }).causationId),
    );
    return { dlq, caused };
  };
  const settled = (o: { dlq: Set<string>; caused: Set<string | undefined> }) =>
    o.caused.has(canary) && sent.every((s) => o.dlq.has(s.key) || (s.ceId !== undefined && o.caused.has(s.ceId)));
  const outcome = await eventually(observe, settled, 40_000, 'every hostile message dead-lettered or applied').catch(
    async (error: Error) => {
      const inbound = hubOutput()
        .split('\n')
        .filter((line) => line.includes('inbound') && !line.includes('dead-lettered'))
        .slice(-5)
        .map((line) => line.slice(0, 400));
      fail(`Kafka: ${error.message.slice(0, 200)} | hub log: ${inbound.join(' / ')}`);
      return observe();
    },
  );
  if (!outcome.caused.has(canary)) fail('Kafka: the valid command sent after the garbage was not applied');
  for (const s of sent) {
    const dead = outcome.dlq.has(s.key);
    const applied = s.ceId !== undefined && outcome.caused.has(s.ceId);
    if (!dead && !applied)
      fail(
        `Kafka: ${s.key} (${s.attack.kind}, ${JSON.stringify(s.attack.headers).slice(0, 200)}, value ${JSON.stringify(s.attack.value.slice(0, 60))}) neither dead-lettered nor applied`,
      );
    if (dead && applied) {
      summary.stateChanges += 1;
      fail(`Kafka: ${s.key} was dead-lettered, yet the log holds events caused by it`);
    }
    if (applied) log(`fuzz: ${s.key} was a valid command and was applied`);
  }
  // The log grew only by events of applied messages and the canary.
  const known = new Set([canary, ...sent.map((s) => s.ceId)]);
  const strangers = [...outcome.caused].filter((c) => !known.has(c));
  if (strangers.length > 0) {
    summary.stateChanges += 1;
    fail(`Kafka: the log holds events of no applied message: ${strangers.slice(0, 5).join(', ')}`);
  }
  log(`fuzz: Kafka done, ${sent.filter((s) => outcome.dlq.has(s.key)).length}/${sent.length} dead-lettered`);
}
