import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { mintDevToken } from '../apps/hub/src/auth/dev-token';
import { openSqliteEventStore } from '../libs/event-store/src/sqlite/sqlite.event-store';
import { type BenchOptions, type BenchRow } from './bench.types';

const ROOT = join(__dirname, '..');
const CONCURRENCY = 16;
const BESTILLINGER = 200;

const FFB = {
  mobiltTilbud: 'd90f4da6-f87a-43b5-833f-646b4baf16d6',
  stoetteTilSocialeRelationer: '05cd5e81-1a3a-4bdd-901b-7ec96c12d990',
  autismespektrum: '9b3fd322-a75a-4ed8-9b74-425fa1e01c95',
  moderatStoettebehov: '401a397b-b3aa-4ca3-8b23-bd8f99dd3f76',
  udvikle: 'd41c8072-52f8-42b5-9375-ddbea454d27f',
  indgaaISamspil: '3f9da5ac-9686-4eeb-b517-b46e17fcb1d7',
  niveau2: '5bdde847-2837-416b-ab63-bbff8b7aa531',
  niveau1: '8328ce4a-6238-4f73-bf1a-74aadb68eff8',
  hukommelse: '61452fe5-cea2-4d92-b2f1-406e9a5d31cb',
};

const observation = JSON.stringify({
  tekst: 'Borgeren har holdt sig på værelset hele weekenden og spist alene.',
  undertemaer: [FFB.hukommelse, FFB.indgaaISamspil],
  paavirkerIndsatsen: false,
  observeret: '2026-03-01T20:00:00+01:00',
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function post(url: string, token: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

/** The store's own rate for the same kind of write (1 event per append, exact expected revision, FULL), in this run. */
async function directAppendRate(file: string, count: number): Promise<number> {
  const store = openSqliteEventStore({ file });
  const streams = Array.from({ length: BESTILLINGER }, () => `bestilling-${randomUUID()}`);
  const revisions = new Map<string, number>();
  const metadata = {
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { party: 'udfoerer', subject: 'bench', tilbudId: 'tilbud-1' },
    ffbVersion: '20240530',
  };
  const data = JSON.parse(observation) as Record<string, unknown>;
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const streamId = streams[i % streams.length] as string;
    const revision = revisions.get(streamId);
    await store.appendToStream(
      streamId,
      [
        {
          eventId: randomUUID(),
          type: 'VumObservationRegistreret',
          data: { ...data, observationId: randomUUID() },
          metadata,
        },
      ],
      {
        expectedRevision: revision === undefined ? 'no_stream' : revision,
      },
    );
    revisions.set(streamId, (revision ?? -1) + 1);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await store.close();
  return count / seconds;
}

/**
 * Commands over HTTP against the hub as its own process on its embedded default: authentication, validation, the
 * read-fold-decide-append write path and a fsync per command (synchronous=FULL). The load is VUM-observationer spread
 * over 200 accepted bestillinger at a fixed concurrency of 16 connections.
 */
export async function bench(options: BenchOptions): Promise<BenchRow[]> {
  const dataDir = join(options.tmpDir, 'hub');
  mkdirSync(dataDir, { recursive: true });
  const secret = Buffer.alloc(32, 3);
  const port = await freePort();
  const hub = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/hub/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HUB_DATA_DIR: dataDir,
      HUB_JWT_SECRET: secret.toString('base64'),
      // One tilbud sends far more than a fagsystem would: the rate limit stays in the path but never refuses.
      HUB_RATE_LIMIT_PER_MINUTE: '1000000000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        if (i > 300) throw new Error('the hub did not start');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const kommune = await mintDevToken(secret, { party: 'myndighed', id: '0101' });
    const tilbud = await mintDevToken(secret, { party: 'udfoerer', id: 'tilbud-1' });
    options.log(`  http: setting up ${BESTILLINGER} accepted bestillinger`);
    const ids: string[] = [];
    for (let i = 0; i < BESTILLINGER; i++) {
      const { id } = await post(`${url}/bestillinger`, kommune, {
        cpr: `0101${String(700000 + i).slice(0, 6)}`.slice(0, 10),
        kommunekode: '0101',
        tilbudId: 'tilbud-1',
        tilbudstype: FFB.mobiltTilbud,
        lovgrundlag: ['SEL-85'],
        ydelser: [{ ydelse: FFB.stoetteTilSocialeRelationer, startdato: '2026-03-15' }],
        primaerMaalgruppe: FFB.autismespektrum,
        stoettebehov: FFB.moderatStoettebehov,
        borgerensOensker: 'Jeg vil gerne have venner.',
        indsatsformaal: 'Borgeren indgår i fællesskaber.',
        indsatsmaal: [
          {
            maalformulering: 'Møde venner i byen.',
            maaltype: FFB.udvikle,
            undertema: FFB.indgaaISamspil,
            aktueltFunktionsevneniveau: FFB.niveau2,
            forventetFunktionsevneniveau: FFB.niveau1,
            opfoelgningsdato: '2026-09-01',
            ansvarligForOpfoelgning: 'Social service',
          },
        ],
      });
      await post(`${url}/bestillinger/${id}/kvittering`, tilbud, { version: 1 });
      await post(`${url}/bestillinger/${id}/accept`, tilbud, {});
      ids.push(id);
    }
    const duration = options.quick ? 3 : 15;
    options.log(`  http: ${duration} s of commands at ${CONCURRENCY} connections`);
    let next = 0;
    const result = await autocannon({
      url,
      connections: CONCURRENCY,
      duration,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tilbud}` },
          body: observation,
          setupRequest: (req) => ({ ...req, path: `/bestillinger/${ids[next++ % ids.length]}/vum-observationer` }),
        },
      ],
    });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`http bench: ${result.non2xx} non-2xx and ${result.errors} errors`);
    const commandsPerSecond = result.requests.total / duration;
    options.log("  http: the store's direct append rate, same write, same run");
    const direct = await directAppendRate(join(options.tmpDir, 'direct.sqlite'), options.quick ? 1500 : 5000);
    return [
      {
        figure: `HTTP commands (VUM-observation), ${CONCURRENCY} connections`,
        unit: 'commands/s',
        value: commandsPerSecond,
        baseline: 'store append, 1 event, FULL',
        baselineValue: direct,
        ratio: commandsPerSecond / direct,
      },
      { figure: `HTTP command latency p50, ${CONCURRENCY} connections`, unit: 'ms', value: result.latency.p50 },
      { figure: `HTTP command latency p99, ${CONCURRENCY} connections`, unit: 'ms', value: result.latency.p99 },
    ];
  } finally {
    hub.kill('SIGTERM');
    await new Promise((r) => hub.once('exit', r));
  }
}
