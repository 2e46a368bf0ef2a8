/**
 * The hub working on realistic data within a minute: `npm run demo` (README "Demo").
 *
 * A simulated kommune (0101) and two tilbud (tilbud-bosted, tilbud-nexus) drive a dozen borgeres indsatser through the
 * HTTP API, as their fagsystemer would, over half a year of simulated time: bestillinger with two indsatsmål, kvittering
 * and accept, delmål, daily delmålsobservationer with scores, VUM-observationer, monthly evalueringer, status before
 * each opfølgningsdato, opfølgninger, a borger without progress (a T2 krav the tilbud meets and the kommune kvitterer),
 * a borger who declines the indsats (a T1 krav left unmet), tilbagemeldinger left unacknowledged (escalations), one
 * indsats afsluttet. The hub's rules fire their deadlines in simulated time.
 *
 *   npm run demo [-- --url http://localhost:3000] [--data-dir ./data-demo] [--keep] [--keep-running] [--port N]
 *                    [--days 182] [--seconds 60]
 *
 * A hub answering at --url is used in real time (its own clock). Otherwise the demo starts one on the embedded default
 * in --data-dir (fresh unless --keep) with a simulated clock (HUB_CLOCK_START, HUB_CLOCK_SPEED) so that --days fit in
 * about --seconds of real time, and stops it at the end unless --keep-running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { mintDevToken } from '../apps/hub/src/auth/dev-token';
import { JWT_SECRET_FILE } from '../apps/hub/src/config';

const ROOT = join(__dirname, '..');
const DAG = 86_400_000;
/** Where the demo's simulated clock starts on a fresh data dir: a fixed past Monday morning (Danish time). */
const UR_START = '2026-01-05T07:00:00Z';
/** Written into the data dir at the end: where the clock stood, so `--keep` continues from there. */
export const DEMO_UR_FILE = 'demo-ur.json';
const KOMMUNE = '0101';
/** Each simulated day's work is sent in two phases, when the hub's clock passes these hours (UTC). */
const MORGEN = 8;
const AFTEN = 18;
const BOSTED = 'tilbud-bosted';
const NEXUS = 'tilbud-nexus';

/** FFB codes (CodeSystem 20240530), as in docs/examples/lifecycle.sh. */
const FFB = {
  udvikle: 'd41c8072-52f8-42b5-9375-ddbea454d27f',
  fastholde: '10752a63-00b4-4958-b7f4-9f3a18f74266',
  indgaaISamspil: '3f9da5ac-9686-4eeb-b517-b46e17fcb1d7',
  varetageRelationer: '4c082610-b122-4019-96f2-1061e287445e',
  deltageIFaellesskaber: 'dcc6bb77-45af-4625-9c4d-7d7878307220',
  lavemad: 'b947f321-7cdb-4b33-9653-f3ff800572b0',
  koebeInd: '01770afa-cd17-41fe-a966-b8895e4d55d8',
  hukommelse: '61452fe5-cea2-4d92-b2f1-406e9a5d31cb',
  niveau1: '8328ce4a-6238-4f73-bf1a-74aadb68eff8',
  niveau2: '5bdde847-2837-416b-ab63-bbff8b7aa531',
  moderatStoettebehov: '401a397b-b3aa-4ca3-8b23-bd8f99dd3f76',
  letStoettebehov: 'dd628e73-d6c9-4837-a2b8-aa62d73bd6ae',
  fortsaettelse: '1e971d84-10a4-4ef8-a8b3-0daa4c7d088a',
  afslutning: 'd7d03656-4c87-4e67-9146-aa5990460f16',
  mobiltTilbud: 'd90f4da6-f87a-43b5-833f-646b4baf16d6',
  stoetteTilSocialeRelationer: '05cd5e81-1a3a-4bdd-901b-7ec96c12d990',
  autismespektrum: '9b3fd322-a75a-4ed8-9b74-425fa1e01c95',
} as const;

// ---------------------------------------------------------------------------------------------------------- options

interface Options {
  readonly url: string;
  readonly dataDir: string | undefined;
  readonly keep: boolean;
  readonly keepRunning: boolean;
  readonly port: number | undefined;
  readonly days: number;
  readonly seconds: number;
}

function parseArgs(argv: readonly string[]): Options {
  const flags = new Set(['--keep', '--keep-running', '--help']);
  const values = new Set(['--url', '--data-dir', '--port', '--days', '--seconds']);
  const got = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (flags.has(a)) got.set(a, 'true');
    else if (values.has(a) && argv[i + 1] !== undefined) got.set(a, argv[++i] as string);
    else fail(`unknown or incomplete option "${a}" (npm run demo -- --help)`);
  }
  if (got.has('--help')) {
    process.stdout.write(
      'npm run demo [-- --url http://localhost:3000] [--data-dir ./data-demo] [--keep] [--keep-running] [--port N] [--days 182] [--seconds 60]\n',
    );
    process.exit(0);
  }
  const num = (name: string, fallback: number, min: number): number => {
    const v = got.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) fail(`${name} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
  const port = got.has('--port') ? num('--port', 0, 1) : undefined;
  return {
    url: (got.get('--url') ?? 'http://localhost:3000').replace(/\/$/, ''),
    dataDir: got.get('--data-dir'),
    keep: got.has('--keep'),
    keepRunning: got.has('--keep-running'),
    port,
    days: num('--days', 182, 140),
    seconds: num('--seconds', 60, 5),
  };
}

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(2);
}

// ------------------------------------------------------------------------------------------------------ HTTP client

/** A refusal from the hub: the demo stops and says which request, which code and which field. */
class HubFejl extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly problem: {
      code?: string;
      detail?: string;
      errors?: { field?: string; code?: string; message?: string }[];
    },
  ) {
    const felter = (problem.errors ?? []).map((e) => `\n    ${e.field ?? '?'}: ${e.code ?? ''} ${e.message ?? ''}`);
    super(
      `${method} ${path} → ${status} ${problem.code ?? '(no code)'}${problem.detail ? `: ${problem.detail}` : ''}${felter.join('')}`,
    );
  }
}

class Hub {
  requests = 0;
  constructor(readonly url: string) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async call(method: string, path: string, token: string | undefined, body?: unknown): Promise<any> {
    for (let attempt = 0; ; attempt++) {
      this.requests += 1;
      const res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = { code: 'IKKE_JSON', detail: text.slice(0, 200) };
      }
      if (res.ok) return json;
      const problem = (json ?? {}) as { code?: string };
      // A concurrent write won (e.g. two of the demo's own requests on one indsats): read again and retry, as the API says.
      if (res.status === 409 && problem.code === 'EVENT_STORE.WRONG_EXPECTED_REVISION' && attempt < 5) continue;
      throw new HubFejl(method, path, res.status, problem as HubFejl['problem']);
    }
  }
  get = (path: string, token?: string) => this.call('GET', path, token);
  post = (path: string, token: string, body: unknown) => this.call('POST', path, token, body);
}

// ----------------------------------------------------------------------------------------------- the hub's process

async function freePort(): Promise<number> {
  return new Promise((ok, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1500) });
    return res.status === 200 || res.status === 503;
  } catch {
    return false;
  }
}

interface StartedHub {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

async function startHub(dataDir: string, port: number, urStart: string, speed: number): Promise<StartedHub> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HUB_DATA_DIR: dataDir,
    HUB_CLOCK_START: urStart,
    HUB_CLOCK_SPEED: String(speed),
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
  };
  // The demo's hub is the embedded default with all roles; a production identity provider would refuse the fast clock.
  // KAFKA_BROKERS (and the other KAFKA_* settings) pass through: with a broker, the demo's hub relays to it too.
  for (const key of ['HUB_OIDC_ISSUER', 'HUB_OIDC_AUDIENCE', 'HUB_OIDC_JWKS_URI', 'HUB_ROLES']) delete env[key];
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/hub/src/main.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the hub stopped at boot (exit ${child.exitCode}):\n${output}`);
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the hub did not answer /health within 60 s:\n${output}`);
    }
    await sleep(150);
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`\ndemo: the hub stopped unexpectedly (exit ${code ?? signal}):\n${output.slice(-4000)}\n`);
      process.exit(1);
    }
  });
  let stopping = false;
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((ok) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          ok();
        });
        child.kill('SIGTERM');
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------------------- the clock

/** The hub's time as the demo estimates it between looks at /health: simulated, or real for a hub on real time. */
class HubUr {
  private simAt = 0;
  private realAt = 0;
  speed = 1;
  simuleret = false;
  constructor(private readonly hub: Hub) {}

  async synk(): Promise<void> {
    const realAt = Date.now();
    const health = (await fetch(`${this.hub.url}/health`).then((r) => r.json())) as {
      clock?: { now: string; speed: number };
    };
    this.simuleret = health.clock !== undefined;
    this.speed = health.clock?.speed ?? 1;
    this.simAt = health.clock ? Date.parse(health.clock.now) : realAt;
    this.realAt = realAt;
  }

  now(): number {
    return this.simAt + (Date.now() - this.realAt) * this.speed;
  }

  /** Waits until the hub's clock has passed `t` (ms); returns at once when it already has. */
  async vent(t: number): Promise<void> {
    for (;;) {
      const ahead = t - this.now();
      if (ahead <= 0) return;
      await sleep(Math.min(1000, Math.ceil(ahead / this.speed) + 2));
      if (this.simuleret) await this.synk();
    }
  }
}

// ------------------------------------------------------------------------------------------------------ the borgere

type Profil =
  | 'fremgang'
  | 'afsluttes'
  | 'uden-fremgang'
  | 'tager-ikke-imod'
  | 'situation-aendret'
  | 'huller'
  | 'sen-kvittering'
  | 'ubesvaret';

interface Borger {
  readonly nr: number;
  readonly cpr: string;
  readonly tilbudId: string;
  readonly profil: Profil;
  readonly udvikleTema: string;
  readonly fastholdeTema: string;
  /** Days after the demo's day 0. */
  readonly opfoelgningsdag: number;
  bestillingId?: string;
  maalA?: string;
  maalB?: string;
  delmaalA?: string;
  delmaalB?: string;
  afsluttet?: boolean;
  vumId?: string;
  tilbagemeldingId?: string;
}

const PROFILER: readonly [string, Profil][] = [
  [BOSTED, 'afsluttes'],
  [BOSTED, 'situation-aendret'],
  [BOSTED, 'fremgang'],
  [BOSTED, 'uden-fremgang'],
  [BOSTED, 'fremgang'],
  [BOSTED, 'huller'],
  [BOSTED, 'fremgang'],
  [NEXUS, 'fremgang'],
  [NEXUS, 'tager-ikke-imod'],
  [NEXUS, 'ubesvaret'],
  [NEXUS, 'fremgang'],
  [NEXUS, 'sen-kvittering'],
];

function borgere(): Borger[] {
  const udvikle = [FFB.indgaaISamspil, FFB.deltageIFaellesskaber, FFB.varetageRelationer];
  const fastholde = [FFB.lavemad, FFB.koebeInd];
  return PROFILER.map(([tilbudId, profil], i) => ({
    nr: i + 1,
    // DDMMYY-XXXX: real dates (1960s–1990s), seventh digit 0–3 for the 1900s; fictitious persons.
    cpr: `${String(3 + i * 2).padStart(2, '0')}${String((i % 12) + 1).padStart(2, '0')}${String(62 + i * 3)}${String(1000 + i * 137)}`,
    tilbudId,
    profil,
    udvikleTema: udvikle[i % udvikle.length] as string,
    fastholdeTema: fastholde[i % fastholde.length] as string,
    opfoelgningsdag: 100 + (i % 6) * 5,
  }));
}

const dato = (t: number) => new Date(t).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------------- the scenario

interface Tokens {
  readonly kommune: string;
  readonly tilbud: Record<string, string>;
}

type Fase = 'morgen' | 'aften';

class Scenarie {
  readonly borgere = borgere();
  /** Day 0 at midnight UTC, in the hub's time. */
  dag0 = 0;
  haendelser = 0;

  constructor(
    private readonly hub: Hub,
    private readonly ur: HubUr,
    private readonly t: Tokens,
  ) {}

  private tid(dag: number, timer: number): string {
    // Never ahead of the hub's clock (observeret may not lie in the future): the day's work starts in the evening, after
    // what it records; the margin (50 ms of real time) covers the estimate's error when the demo runs late.
    const margin = Math.max(60_000, 50 * this.ur.speed);
    return new Date(Math.min(this.dag0 + dag * DAG + timer * 3_600_000, this.ur.now() - margin)).toISOString();
  }
  private dato(dag: number): string {
    return dato(this.dag0 + dag * DAG);
  }
  private tilbud(b: Borger): string {
    return this.t.tilbud[b.tilbudId] as string;
  }
  private async post(path: string, token: string, body: unknown) {
    const r = await this.hub.post(path, token, body);
    this.haendelser += (r?.events as unknown[] | undefined)?.length ?? 0;
    return r;
  }

  /** The day's work for every borger, the borgere side by side (each its own indsats, in order). */
  async dag(d: number, fase: Fase): Promise<void> {
    await Promise.all(this.borgere.map((b) => this.borgerDag(b, d, fase)));
  }

  /**
   * Morning: what has a date (kvittering, evalueringer, status, opfølgning, tilbagemeldinger), few requests, so it is
   * recorded on its day. Evening: the day's observations, dated that afternoon.
   */
  private async borgerDag(b: Borger, d: number, fase: Fase): Promise<void> {
    const dokumenteres = !b.afsluttet && d >= (b.profil === 'sen-kvittering' ? 7 : 3);
    if (fase === 'aften') {
      if (dokumenteres) {
        await this.observation(b, d);
        await this.vum(b, d);
      }
      return;
    }
    if (d === 0) return this.afgiv(b);
    if (b.afsluttet) return;
    if (d === (b.profil === 'sen-kvittering' ? 5 : 1)) return this.kvitterOgAccepter(b);
    if (d === (b.profil === 'sen-kvittering' ? 6 : 2)) return this.opretDelmaal(b);
    if (!dokumenteres) return;
    if (d % 30 === 0) await this.evaluer(b, d);
    await this.saerligt(b, d);
    if (d === b.opfoelgningsdag - 20) await this.status(b, d);
    const opfDag = b.opfoelgningsdag + (b.profil === 'ubesvaret' ? 4 : 0); // one kommune is late: an overdue notice
    if (d === opfDag) await this.opfoelgning(b);
    if (b.profil === 'afsluttes' && d === b.opfoelgningsdag + 10) await this.afslut(b, d);
  }

  private async afgiv(b: Borger): Promise<void> {
    const maal = (maaltype: string, undertema: string, tekst: string, aktuelt: string, forventet: string) => ({
      maalformulering: tekst,
      maaltype,
      undertema,
      aktueltFunktionsevneniveau: aktuelt,
      forventetFunktionsevneniveau: forventet,
      opfoelgningsdato: this.dato(b.opfoelgningsdag),
      ansvarligForOpfoelgning: 'Socialforvaltningen, Københavns Kommune',
    });
    const r = await this.post('/bestillinger', this.t.kommune, {
      cpr: b.cpr,
      kommunekode: KOMMUNE,
      tilbudId: b.tilbudId,
      tilbudstype: FFB.mobiltTilbud,
      lovgrundlag: ['SEL-85'],
      ydelser: [{ ydelse: FFB.stoetteTilSocialeRelationer, startdato: this.dato(7), slutdato: this.dato(372) }],
      primaerMaalgruppe: FFB.autismespektrum,
      stoettebehov: FFB.moderatStoettebehov,
      borgerensOensker: 'Jeg vil gerne klare mere selv og have nogen at være sammen med.',
      indsatsformaal: 'Borgeren opnår at kunne indgå i sociale fællesskaber og klare hverdagen i egen bolig.',
      indsatsmaal: [
        maal(
          FFB.udvikle,
          b.udvikleTema,
          'Jeg vil gerne kunne være sammen med andre uden at blive utryg.',
          FFB.niveau2,
          FFB.niveau1,
        ),
        maal(
          FFB.fastholde,
          b.fastholdeTema,
          'Jeg vil blive ved med at klare mine daglige gøremål selv.',
          FFB.niveau2,
          FFB.niveau2,
        ),
      ],
    });
    b.bestillingId = r.id as string;
  }

  private async kvitterOgAccepter(b: Borger): Promise<void> {
    const id = b.bestillingId as string;
    const tilstand = await this.hub.get(`/bestillinger/${id}`, this.tilbud(b));
    [b.maalA, b.maalB] = (tilstand.indsatsmaal as { indsatsmaalId: string }[]).map((m) => m.indsatsmaalId);
    await this.post(`/bestillinger/${id}/kvittering`, this.tilbud(b), { version: tilstand.version });
    await this.post(`/bestillinger/${id}/accept`, this.tilbud(b), { forventetStartdato: this.dato(7) });
  }

  private async opretDelmaal(b: Borger): Promise<void> {
    const plan = {
      formaal: 'At borgeren øver sig i en tryg ramme.',
      borgerensMotivation: 'Vil gerne klare mere selv.',
      ressourcerOgUdfordringer: 'God humor og vilje; bliver hurtigt træt og utryg i større grupper.',
      borgerensIndsats: 'Møder op til de aftalte aktiviteter.',
      medarbejdernesIndsatsOgMetode: 'Fast kontaktperson; low arousal og guidning.',
    };
    const dm = (indsatsmaalId: string, navn: string) => ({
      indsatsmaalId,
      navn,
      delmaalsplan: plan,
      startdato: this.dato(3),
      evalueringsdato: this.dato(30),
      slutdato: this.dato(240),
      ansvarlig: b.tilbudId === BOSTED ? 'Team Bosted Nord' : 'Team Nexus Syd',
    });
    const id = b.bestillingId as string;
    b.delmaalA = (
      await this.post(
        `/bestillinger/${id}/delmaal`,
        this.tilbud(b),
        dm(b.maalA as string, 'Deltage i fællesspisning hver torsdag'),
      )
    ).id;
    b.delmaalB = (
      await this.post(
        `/bestillinger/${id}/delmaal`,
        this.tilbud(b),
        dm(b.maalB as string, 'Lave aftensmad to gange om ugen'),
      )
    ).id;
  }

  /** One delmålsobservation a day, the two delmål in turn; scores (støttebehov 0–4, higher is more) fall with progress. */
  private async observation(b: Borger, d: number): Promise<void> {
    const paaA = d % 2 === 1;
    if (!paaA && b.profil === 'huller' && d >= 50 && d < 75) return; // three weeks undocumented: a reminder
    const uden = b.profil === 'uden-fremgang' || b.profil === 'tager-ikke-imod';
    const score = paaA ? (uden ? 3 : Math.max(1, 3 - Math.floor(d / 50))) : 2;
    const tekst = paaA
      ? uden
        ? 'Blev på værelset, da de andre spiste sammen.'
        : 'Deltog i fællesspisningen og talte med to af de andre beboere.'
      : 'Lavede aftensmad med lidt guidning til rækkefølgen.';
    await this.post(`/delmaal/${paaA ? b.delmaalA : b.delmaalB}/observationer`, this.tilbud(b), {
      observation: tekst,
      refleksion: uden ? 'Virkede urolig; vi prøver igen i morgen.' : 'Virkede tryg og glad.',
      score,
      observeret: this.tid(d, 17),
    });
  }

  /** Monthly: the Udvikle delmål with fremgang, or without (uændret, then tilbagegang: a T2 krav); Fastholde uændret. */
  private async evaluer(b: Borger, d: number): Promise<void> {
    const uden = b.profil === 'uden-fremgang' && d <= 60;
    const udviklingA = uden ? (d === 30 ? 'uaendret' : 'tilbagegang') : 'fremgang';
    for (const [delmaal, udvikling] of [
      [b.delmaalA, udviklingA],
      [b.delmaalB, 'uaendret'],
    ] as const) {
      await this.post(`/delmaal/${delmaal}/evalueringer`, this.tilbud(b), {
        dato: this.dato(d),
        hvordanGaarDet:
          udvikling === 'fremgang' ? 'Det går godt; borgeren møder op.' : 'Borgeren har svært ved at komme afsted.',
        virkningForBorgeren: udvikling === 'fremgang' ? 'Mindre utryghed.' : 'Ingen synlig virkning endnu.',
        borgerensOplevelse: udvikling === 'tilbagegang' ? 'Jeg orker det ikke lige nu.' : 'Det er rart.',
        refleksionerOverMetoder: 'Fast kontaktperson virker; vi justerer tidspunkterne.',
        giverAnledningTilAendringer: udvikling === 'tilbagegang',
        udvikling,
        konklusion: udvikling === 'fremgang' ? 'Delmålet er på vej til at blive nået.' : 'Delmålet står stille.',
      });
    }
  }

  private async saerligt(b: Borger, d: number): Promise<void> {
    const id = b.bestillingId as string;
    // The borger without progress: the T2 krav (two evalueringer without fremgang) is met, and the kommune kvitterer.
    if (b.profil === 'uden-fremgang' && d === 63) {
      const krav = await this.aabentKrav(b, 'T2');
      const t = await this.post(`/bestillinger/${id}/tilbagemeldinger`, this.tilbud(b), {
        trigger: 'T2',
        tekst:
          'Borgeren har ikke haft fremgang i to måneder og er gået tilbage i kontakten med andre. Vi foreslår en ændret indsats.',
        indsatsmaalId: b.maalA,
        opfylderKravId: krav,
      });
      b.tilbagemeldingId = t.id as string;
    }
    if (b.profil === 'uden-fremgang' && d === 66)
      await this.post(`/bestillinger/${id}/tilbagemeldinger/${b.tilbagemeldingId}/kvittering`, this.t.kommune, {
        bemaerkning: 'Tak. Vi tager det op på opfølgningen.',
      });
    // An ordinary tilbagemelding the kommune never kvitterer: an escalation to the myndighed after 10 days.
    if (b.profil === 'ubesvaret' && d === 88)
      await this.post(`/bestillinger/${id}/tilbagemeldinger`, this.tilbud(b), {
        trigger: 'ANDET',
        tekst: 'Borgeren ønsker at flytte til en anden bydel; vi beder om en samtale.',
      });
  }

  /** VUM-observationer, in the evening phase (they are dated that day). */
  private async vum(b: Borger, d: number): Promise<void> {
    const id = b.bestillingId as string;
    // Ordinary VUM-observationer on an undertema an indsatsmål covers: nothing to report.
    if (d === 20 && b.nr % 4 === 1)
      await this.post(`/bestillinger/${id}/vum-observationer`, this.tilbud(b), {
        tekst: 'Tog selv initiativ til at spille kort med en anden beboer.',
        undertemaer: [b.udvikleTema],
        paavirkerIndsatsen: false,
        observeret: this.tid(d, 15),
      });
    // A borger who declines the indsats: a T1 krav the tilbud does not meet in time (overdue, escalation).
    if (b.profil === 'tager-ikke-imod' && d === 45)
      await this.post(`/bestillinger/${id}/vum-observationer`, this.tilbud(b), {
        tekst: 'Borgeren siger, at han ikke vil have besøg af os mere.',
        undertemaer: [b.udvikleTema],
        paavirkerIndsatsen: true,
        borgerTagerIkkeImod: true,
        observeret: this.tid(d, 11),
      });
    // A changed situation: a T3 recommendation, answered, but the kommune does not kvittere (an escalation).
    if (b.profil === 'situation-aendret' && d === 75) {
      const vum = await this.post(`/bestillinger/${id}/vum-observationer`, this.tilbud(b), {
        tekst: 'Borgeren er faldet og har brækket håndleddet; kan ikke lave mad selv de næste uger.',
        undertemaer: [b.fastholdeTema, FFB.hukommelse],
        paavirkerIndsatsen: true,
        observeret: this.tid(d, 10),
      });
      b.vumId = vum.id as string;
    }
    if (b.profil === 'situation-aendret' && d === 77)
      await this.post(`/bestillinger/${id}/tilbagemeldinger`, this.tilbud(b), {
        trigger: 'T3',
        tekst: 'Borgerens situation har ændret sig: brækket håndled. Madlavning sættes på pause.',
        indsatsmaalId: b.maalB,
        observationer: [{ type: 'vum', observationId: b.vumId }],
        opfylderKravId: await this.aabentKrav(b, 'T3'),
      });
  }

  /** The udfører's open krav of a trigger on this bestilling, from its read model (the rules wrote it moments ago). */
  private async aabentKrav(b: Borger, trigger: string): Promise<string> {
    for (let forsoeg = 0; forsoeg < 100; forsoeg++) {
      const krav = (await this.hub.get('/udfoerer/tilbagemeldingskrav?status=aaben&limit=500', this.tilbud(b))) as {
        kravId: string;
        bestillingId: string;
        trigger: string;
      }[];
      const k = krav.find((x) => x.bestillingId === b.bestillingId && x.trigger === trigger);
      if (k) return k.kravId;
      await sleep(50);
    }
    throw new Error(`borger ${b.nr}: the hub's rules recorded no open ${trigger} krav (see /health's rules part)`);
  }

  private async status(b: Borger, d: number): Promise<void> {
    const uden = b.profil === 'uden-fremgang' || b.profil === 'tager-ikke-imod';
    await this.post(`/bestillinger/${b.bestillingId}/status`, this.tilbud(b), {
      indsatsmaal: [
        {
          indsatsmaalId: b.maalA,
          statustekst: uden ? 'Ingen fremgang; se tilbagemeldingen.' : `Tydelig fremgang siden dag ${d - 60}.`,
        },
        { indsatsmaalId: b.maalB, statustekst: 'Funktionsevnen er fastholdt.' },
      ],
    });
  }

  private async opfoelgning(b: Borger): Promise<void> {
    const afslut = b.profil === 'afsluttes';
    const uden = b.profil === 'uden-fremgang' || b.profil === 'tager-ikke-imod';
    await this.post(`/bestillinger/${b.bestillingId}/opfoelgninger`, this.t.kommune, {
      funktionsevne: [
        { undertema: b.udvikleTema, funktionsevneniveau: uden ? FFB.niveau2 : FFB.niveau1 },
        { undertema: b.fastholdeTema, funktionsevneniveau: FFB.niveau2 },
      ],
      borgerensVurdering: uden ? 'Jeg synes ikke, det hjælper.' : 'Det går meget bedre.',
      udfoerersVurdering: uden ? 'Indsatsen bør justeres.' : 'Stabil fremgang.',
      sagsbehandlersVurdering: afslut ? 'Målene er nået; indsatsen afsluttes.' : 'Indsatsen fortsætter.',
      stoettebehov: uden ? FFB.moderatStoettebehov : FFB.letStoettebehov,
      statusPaaIndsats: afslut ? FFB.afslutning : FFB.fortsaettelse,
    });
  }

  private async afslut(b: Borger, d: number): Promise<void> {
    for (const delmaal of [b.delmaalA, b.delmaalB])
      await this.post(`/delmaal/${delmaal}/afslutning`, this.tilbud(b), {
        maalopfyldelse: 'opnaaet',
        konklusion: 'Borgeren klarer det nu selv.',
      });
    await this.post(`/bestillinger/${b.bestillingId}/afslutning`, this.t.kommune, {
      slutdato: this.dato(d),
      begrundelse: 'Målene er nået.',
    });
    b.afsluttet = true;
  }
}

// -------------------------------------------------------------------------------------------------------- progress

function progress(total: number): {
  update: (value: number, dato: string, haendelser: number) => void;
  stop: () => void;
} {
  if (!process.stderr.isTTY) {
    let last = -1;
    return {
      update: (value, d, haendelser) => {
        const step = Math.floor((value / total) * 10);
        if (step !== last) process.stderr.write(`demo: dag ${value}/${total} (${d}), ${haendelser} hændelser\n`);
        last = step;
      },
      stop: () => undefined,
    };
  }
  const bar = new SingleBar(
    {
      format: 'simuleret tid [{bar}] {percentage}% | dag {value}/{total} | {dato} | {haendelser} hændelser',
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { dato: '', haendelser: 0 });
  return { update: (value, d, haendelser) => bar.update(value, { dato: d, haendelser }), stop: () => bar.stop() };
}

// ------------------------------------------------------------------------------------------------------- the summary

async function venTilIndhentet(hub: Hub): Promise<void> {
  // The read models and the rules have read the whole log twice in a row (the rules' events are projected too).
  let ok = 0;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline && ok < 2;) {
    const h = (await hub.get('/health')) as {
      parts: { projector?: { readModels: { lag: number }[] }; rules?: { lag: number } };
    };
    const lag = (h.parts.projector?.readModels ?? []).reduce((s, r) => s + r.lag, 0) + (h.parts.rules?.lag ?? 0);
    ok = lag === 0 ? ok + 1 : 0;
    await sleep(150);
  }
}

type Paamindelse = { art: string; afsluttet: string | null };

async function opsummer(hub: Hub, t: Tokens, url: string | undefined, dataDir: string): Promise<void> {
  const bestillinger = (await hub.get('/myndighed/bestillinger?limit=500', t.kommune)) as {
    tilbudId: string;
    fase: string;
    bestillingId: string;
  }[];
  const perTilbud = new Map<string, number>();
  const perFase = new Map<string, number>();
  for (const b of bestillinger) {
    perTilbud.set(b.tilbudId, (perTilbud.get(b.tilbudId) ?? 0) + 1);
    perFase.set(b.fase, (perFase.get(b.fase) ?? 0) + 1);
  }
  let opfoelgninger = 0;
  for (const b of bestillinger)
    opfoelgninger += ((await hub.get(`/myndighed/bestillinger/${b.bestillingId}`, t.kommune)).opfoelgninger ?? [])
      .length;
  const krav = (await hub.get('/myndighed/tilbagemeldingskrav?limit=500', t.kommune)) as {
    status?: string;
    opfyldt: string | null;
    bortfaldet: string | null;
    trigger: string;
  }[];
  const overholdelse = (await hub.get('/myndighed/tilbagemeldingspligt/overholdelse', t.kommune)).samlet as Record<
    string,
    number | null
  >;
  const mPaam = (await hub.get('/myndighed/paamindelser?status=alle&limit=500', t.kommune)) as Paamindelse[];
  const uPaam: Paamindelse[] = [];
  for (const token of Object.values(t.tilbud))
    uPaam.push(...((await hub.get('/udfoerer/paamindelser?status=alle&limit=500', token)) as Paamindelse[]));
  const liste = (m: Map<string, number>) => [...m].map(([k, v]) => `${k} ${v}`).join(', ');
  const arter = (xs: Paamindelse[]) =>
    liste(xs.reduce((m, x) => m.set(x.art, (m.get(x.art) ?? 0) + 1), new Map<string, number>()));
  const triggere = liste(
    krav.reduce((m, k) => m.set(k.trigger, (m.get(k.trigger) ?? 0) + 1), new Map<string, number>()),
  );
  const w = (s: string) => process.stdout.write(`${s}\n`);
  w('');
  w('Samspil Hub efter demoen (fra læsemodellerne):');
  w(`  bestillinger:        ${bestillinger.length} (${liste(perTilbud)}); faser: ${liste(perFase)}`);
  w(`  opfølgninger:        ${opfoelgninger}`);
  w(
    `  tilbagemeldingskrav: ${krav.length} (${triggere}); opfyldt ${overholdelse['opfyldt']}, heraf kvitteret ${overholdelse['kvitteret']}; åbne ${overholdelse['aabne']}, overskredne ${overholdelse['overskredne']}, bortfaldne ${overholdelse['bortfaldne']}`,
  );
  const aabne = (xs: Paamindelse[]) => xs.filter((x) => x.afsluttet === null).length;
  w(`  påmindelser til kommunen:   ${mPaam.length}, ${aabne(mPaam)} åbne (${arter(mPaam)})`);
  w(`  påmindelser til tilbuddene: ${uPaam.length}, ${aabne(uPaam)} åbne (${arter(uPaam)})`);
  w('');
  if (url === undefined) {
    w('Kør med --keep-running for at se /ops, /health og /metrics og forespørge læsemodellerne bagefter.');
    return;
  }
  w(`Se selv: ${url}/health · ${url}/ops · ${url}/metrics`);
  w(`  KOMMUNE=$(HUB_DATA_DIR=${dataDir} npm run -s token -- myndighed ${KOMMUNE})`);
  w(`  curl -s ${url}/myndighed/bestillinger -H "authorization: Bearer $KOMMUNE"`);
}

// ----------------------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  let egen: StartedHub | undefined;
  let url = o.url;
  let dataDir: string;
  if (await answers(o.url)) {
    dataDir = resolve(o.dataDir ?? process.env['HUB_DATA_DIR'] ?? './data');
    process.stderr.write(`demo: a hub answers at ${o.url}; using it on its own clock (its data dir: ${dataDir})\n`);
  } else {
    dataDir = resolve(o.dataDir ?? './data-demo');
    let urStart = UR_START;
    if (o.keep && existsSync(join(dataDir, DEMO_UR_FILE)))
      urStart = (JSON.parse(readFileSync(join(dataDir, DEMO_UR_FILE), 'utf8')) as { slut: string }).slut;
    else if (!o.keep) rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const port = o.port ?? (await freePort());
    // The simulated days, plus a few for booting, in about --seconds.
    const speed = Math.round(((o.days + 4) * 86_400) / o.seconds);
    process.stderr.write(
      `demo: starting a hub on port ${port} with data in ${dataDir}; simulated clock from ${urStart}, ${speed}× real time (${(speed / 86_400).toFixed(1)} days a second)\n`,
    );
    egen = await startHub(dataDir, port, urStart, speed);
    url = egen.url;
  }
  let holdesKoerende = false;
  const afbryd = async (signal: string) => {
    process.stderr.write(`\ndemo: ${signal}, stopping${egen ? ' the hub' : ''}\n`);
    await egen?.stop();
    // With --keep-running, Ctrl-C is how the demo ends; before that it interrupts it.
    process.exit(holdesKoerende ? 0 : 130);
  };
  process.once('SIGINT', () => void afbryd('SIGINT'));
  process.once('SIGTERM', () => void afbryd('SIGTERM'));

  try {
    const secretEnv = process.env['HUB_JWT_SECRET'];
    const secretFile = join(dataDir, JWT_SECRET_FILE);
    if (!secretEnv && !existsSync(secretFile))
      throw new Error(`no HUB_JWT_SECRET and no ${secretFile}: pass the hub's --data-dir to mint its tokens`);
    const secret = Buffer.from(secretEnv ?? readFileSync(secretFile, 'utf8').trim(), 'base64');
    const token = (party: 'myndighed' | 'udfoerer', id: string) =>
      mintDevToken(secret, { party, id, sub: party === 'myndighed' ? 'demo-sagssystem' : `demo-fagsystem-${id}` });
    const tokens: Tokens = {
      kommune: await token('myndighed', KOMMUNE),
      tilbud: { [BOSTED]: await token('udfoerer', BOSTED), [NEXUS]: await token('udfoerer', NEXUS) },
    };

    const hub = new Hub(url);
    const ur = new HubUr(hub);
    await ur.synk();
    const scenarie = new Scenarie(hub, ur, tokens);
    // A simulated hub: day 0 is the hub's today, and each day's work waits until the hub's clock reaches that day.
    // A hub on real time: the half year lies behind it, and the days run back to back with past dates.
    scenarie.dag0 = ur.simuleret ? Date.parse(dato(ur.now())) : Date.parse(dato(ur.now())) - (o.days + 1) * DAG;
    const bar = progress(o.days);
    for (let d = 0; d <= o.days; d++) {
      for (const [fase, time] of [
        ['morgen', MORGEN],
        ['aften', AFTEN],
      ] as const) {
        if (ur.simuleret) await ur.vent(scenarie.dag0 + d * DAG + time * 3_600_000);
        await scenarie.dag(d, fase);
      }
      bar.update(d, dato(scenarie.dag0 + d * DAG), scenarie.haendelser);
    }
    bar.stop();
    await venTilIndhentet(hub);
    await ur.synk();
    if (egen)
      writeFileSync(join(dataDir, DEMO_UR_FILE), `${JSON.stringify({ slut: new Date(ur.now()).toISOString() })}\n`);
    await opsummer(hub, tokens, egen && !o.keepRunning ? undefined : url, dataDir);
    process.stderr.write(`demo: done in ${((Date.now() - started) / 1000).toFixed(1)} s, ${hub.requests} requests\n`);
  } catch (error) {
    process.stderr.write(
      `\ndemo: ${error instanceof HubFejl ? 'the hub refused a request: ' : ''}${(error as Error).message}\n`,
    );
    await egen?.stop();
    process.exit(1);
  }
  if (egen && o.keepRunning) {
    holdesKoerende = true;
    process.stdout.write(`\nThe hub keeps running: ${url}/ops · ${url}/health · ${url}/metrics — Ctrl-C stops it.\n`);
    await new Promise<never>(() => undefined);
  }
  await egen?.stop();
}

void main();
