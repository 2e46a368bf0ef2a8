import { randomUUID } from 'node:crypto';
import {
  pligt,
  pligtFolding,
  toPligtStreamId,
  type KravNiveau,
  type KravTrigger,
  type Modtager,
  type PligtCommand,
} from '@hub/domain';
import { handleCommand } from '@hub/event-store';
import { startHub, UDEN_REGLER, type RunningHub } from './support/hub';
import { bestilling } from './support/requests';

const DAG = 86_400_000;
const dato = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Krav {
  readonly kravId: string;
  readonly trigger: KravTrigger;
  readonly niveau: KravNiveau;
  readonly frist: string;
}

describe('tilbagemeldingspligt read models over HTTP: krav, påmindelser and compliance per party', () => {
  let hub: RunningHub;
  const t = {} as Record<'kommune' | 'andenKommune' | 'tilbud' | 'andetTilbud', string>;
  const get = async (token: string, path: string) => {
    await hub.readModelsCaughtUp();
    const res = await hub.call('GET', path, { token });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json;
  };
  /** What the hub's rules would write: pligt commands through the app's own event store, with the real deciders. */
  const regel = (command: PligtCommand) => {
    const now = new Date().toISOString();
    return handleCommand(
      hub.store,
      toPligtStreamId(command.data.bestillingId),
      pligtFolding,
      (s) => pligt.decide(command, s, { now }),
      {
        eventId: () => randomUUID(),
        metadata: () => ({
          schemaVersion: 1,
          occurredAt: now,
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: { party: 'hub', subject: 'tilbagemeldingspligt-test' },
        }),
      },
    );
  };
  const begrundet = (aarsag: string) => ({ regel: { id: 'TP-E2E', version: 1 }, aarsager: [aarsag] });

  beforeAll(async () => {
    hub = await startHub(UDEN_REGLER);
    t.kommune = await hub.token({ party: 'myndighed', id: '0101' });
    t.andenKommune = await hub.token({ party: 'myndighed', id: '0147' });
    t.tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    t.andetTilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-9999' });
  });
  afterAll(() => hub.stop());

  /** A running indsats between `kommune` and `tilbud`, created and accepted over HTTP. */
  async function indsats(kommune: string, tilbud: string, body: Record<string, unknown>) {
    const id: string = (await hub.call('POST', '/bestillinger', { token: kommune, body: bestilling(body) })).json.id;
    await hub.call('POST', `/bestillinger/${id}/kvittering`, { token: tilbud, body: { version: 1 } });
    expect((await hub.call('POST', `/bestillinger/${id}/accept`, { token: tilbud, body: {} })).status).toBe(200);
    const [afgivet] = await hub.store.readStream(`bestilling-${id}`);
    return { id, borgerId: (afgivet?.data as { borgerId: string }).borgerId, aarsag: afgivet?.eventId as string };
  }

  it('shows each party its own krav and påmindelser, counts compliance, and shows the other parties none of it', async () => {
    const idag = Date.now();
    const egen = await indsats(t.kommune, t.tilbud, {});
    // The other kommune's indsats at the other tilbud: its krav and påmindelser are theirs alone.
    const anden = await indsats(t.andenKommune, t.andetTilbud, {
      cpr: '0303904321',
      kommunekode: '0147',
      tilbudId: 'tilbud-9999',
    });
    const parter = { bestillingId: egen.id, kommunekode: '0101', tilbudId: 'tilbud-4711' };

    // K1 is met in time by a tilbagemelding that names it and kvitteret; K2's frist passed three days ago; K3 is open
    // with a frist ahead.
    const krav: Krav[] = [
      { kravId: randomUUID(), trigger: 'T2', niveau: 'paakraevet', frist: dato(idag + 10 * DAG) },
      { kravId: randomUUID(), trigger: 'T1', niveau: 'paakraevet', frist: dato(idag - 3 * DAG) },
      { kravId: randomUUID(), trigger: 'T3', niveau: 'anbefalet', frist: dato(idag + 30 * DAG) },
    ];
    const [k1, k2, k3] = krav as [Krav, Krav, Krav];
    for (const k of krav)
      await regel({
        type: 'KraevTilbagemelding',
        data: {
          ...parter,
          ...k,
          borgerId: egen.borgerId,
          indsatsmaalId: null,
          delmaalId: null,
          begrundelse: 'Ingen fremgang på indsatsmålet i de seneste evalueringer.',
          ...begrundet(egen.aarsag),
        },
      });
    const andetKrav = randomUUID();
    await regel({
      type: 'KraevTilbagemelding',
      data: {
        bestillingId: anden.id,
        kommunekode: '0147',
        tilbudId: 'tilbud-9999',
        kravId: andetKrav,
        borgerId: anden.borgerId,
        trigger: 'T2',
        niveau: 'paakraevet',
        indsatsmaalId: null,
        delmaalId: null,
        begrundelse: 'Ingen fremgang.',
        frist: dato(idag - DAG),
        ...begrundet(anden.aarsag),
      },
    });

    const svar = await hub.call('POST', `/bestillinger/${egen.id}/tilbagemeldinger`, {
      token: t.tilbud,
      body: { trigger: 'T2', tekst: 'Borgeren har ikke deltaget de seneste tre uger.', opfylderKravId: k1.kravId },
    });
    expect(svar.status).toBe(201);
    const tilbagemeldingId: string = svar.json.id;
    // The rules record it as well: the read model keeps the first fact.
    await regel({
      type: 'RegistrerKravOpfyldt',
      data: { bestillingId: egen.id, kravId: k1.kravId, tilbagemeldingId, ...begrundet(egen.aarsag) },
    });
    expect(
      (
        await hub.call('POST', `/bestillinger/${egen.id}/tilbagemeldinger/${tilbagemeldingId}/kvittering`, {
          token: t.kommune,
          body: {},
        })
      ).status,
    ).toBe(200);

    const p = { tilUdfoerer: randomUUID(), tilMyndighed: randomUUID(), afsluttet: randomUUID(), anden: randomUUID() };
    const paamindelse = (
      paamindelseId: string,
      modtager: Modtager,
      ejer = parter,
      aarsag = egen.aarsag,
      kravId = k2.kravId,
    ) =>
      regel({
        type: 'SendPaamindelse',
        data: {
          ...ejer,
          paamindelseId,
          art: 'tilbagemeldingskrav_overskredet',
          modtager,
          alvor: modtager === 'myndighed' ? 'eskalering' : 'overskredet',
          emne: { kravId, dato: k2.frist },
          tekst: 'Fristen for tilbagemeldingen er overskredet.',
          forfald: new Date(Date.parse(k2.frist)).toISOString(),
          ...begrundet(aarsag),
        },
      });
    await paamindelse(p.tilUdfoerer, 'udfoerer');
    await paamindelse(p.tilMyndighed, 'myndighed');
    await paamindelse(p.afsluttet, 'myndighed');
    await regel({
      type: 'AfslutPaamindelse',
      data: { bestillingId: egen.id, paamindelseId: p.afsluttet, ...begrundet(egen.aarsag) },
    });
    await paamindelse(
      p.anden,
      'myndighed',
      { bestillingId: anden.id, kommunekode: '0147', tilbudId: 'tilbud-9999' },
      anden.aarsag,
      andetKrav,
    );

    // The lists, for the own tilbud and the own kommune alike.
    const sendt = (await hub.store.readStream(`bestilling-${egen.id}`)).find((e) => e.type === 'TilbagemeldingSendt');
    const kraevet = new Map(
      (await hub.store.readStream(toPligtStreamId(egen.id)))
        .filter((e) => e.type === 'TilbagemeldingKraevet')
        .map((e) => {
          const d = e.data as { kravId: string; kraevet: string };
          return [d.kravId, d.kraevet];
        }),
    );
    const idagDato = dato(Date.now());
    for (const [token, side] of [
      [t.tilbud, 'udfoerer'],
      [t.kommune, 'myndighed'],
    ] as const) {
      const aabne = await get(token, `/${side}/tilbagemeldingskrav?status=aaben`);
      // Most urgent first: the overdue one, then the one ahead.
      expect(aabne.map((k: { kravId: string; overskredet: boolean }) => [k.kravId, k.overskredet])).toEqual([
        [k2.kravId, k2.frist < idagDato],
        [k3.kravId, k3.frist < idagDato],
      ]);
      const [opfyldt] = await get(token, `/${side}/tilbagemeldingskrav?status=opfyldt`);
      expect(opfyldt).toMatchObject({
        kravId: k1.kravId,
        tilbagemeldingId,
        opfyldt: (sendt?.data as { sendt: string }).sendt,
        overskredet: false,
        regel: { id: 'TP-E2E', version: 1 },
      });
      expect(typeof opfyldt.kvitteret).toBe('string');
    }
    expect(
      (await get(t.tilbud, '/udfoerer/paamindelser?status=aaben')).map(
        (x: { paamindelseId: string }) => x.paamindelseId,
      ),
    ).toEqual([p.tilUdfoerer]);
    expect(await get(t.tilbud, '/udfoerer/paamindelser?status=afsluttet')).toEqual([]);
    expect(
      (await get(t.kommune, '/myndighed/paamindelser?status=aaben')).map(
        (x: { paamindelseId: string }) => x.paamindelseId,
      ),
    ).toEqual([p.tilMyndighed]);
    const [afsluttet] = await get(t.kommune, '/myndighed/paamindelser?status=afsluttet');
    expect(afsluttet).toMatchObject({ paamindelseId: p.afsluttet, modtager: 'myndighed', emne: { kravId: k2.kravId } });
    expect(typeof afsluttet.afsluttet).toBe('string');

    // Compliance, computed from what was written: K1 met by its frist and kvitteret, K2 overdue, K3 open in time.
    const dage =
      (Date.parse((sendt?.data as { sendt: string }).sendt) - Date.parse(kraevet.get(k1.kravId) ?? '')) / DAG;
    const tal = (k: Krav) => {
      const met = k === k1;
      return {
        kraevet: 1,
        opfyldt: met ? 1 : 0,
        opfyldtIndenFrist: met ? 1 : 0,
        aabne: met ? 0 : 1,
        overskredne: !met && k.frist < idagDato ? 1 : 0,
        kvitteret: met ? 1 : 0,
        medianDageTilOpfyldt: met ? dage : null,
      };
    };
    const samlet = {
      kraevet: 3,
      opfyldt: 1,
      opfyldtIndenFrist: 1,
      aabne: 2,
      overskredne: krav.filter((k) => k !== k1 && k.frist < idagDato).length,
      kvitteret: 1,
      medianDageTilOpfyldt: dage,
    };
    const triggere = (['T1', 'T2', 'T3'] as const).map((trigger) => ({
      trigger,
      ...tal(krav.find((k) => k.trigger === trigger) as Krav),
    }));
    const periode = `fra=${dato(idag - DAG)}&til=${dato(idag + DAG)}`;
    const myndighed = await get(t.kommune, `/myndighed/tilbagemeldingspligt/overholdelse?${periode}`);
    expect(myndighed).toMatchObject({ samlet, triggere, tilbud: [{ tilbudId: 'tilbud-4711', ...samlet, triggere }] });
    const udfoerer = await get(t.tilbud, `/udfoerer/tilbagemeldingspligt/overholdelse?${periode}`);
    expect(udfoerer).toMatchObject({ samlet, triggere });
    expect(udfoerer.tilbud).toBeUndefined();
    // A period after the krav were required counts none of them.
    expect(
      (await get(t.kommune, `/myndighed/tilbagemeldingspligt/overholdelse?fra=${dato(idag + 2 * DAG)}`)).samlet.kraevet,
    ).toBe(0);
    // The other kommune sees its own krav, overdue, and nothing of ours.
    expect((await get(t.andenKommune, '/myndighed/tilbagemeldingspligt/overholdelse')).samlet).toMatchObject({
      kraevet: 1,
      overskredne: 1,
    });

    // Wrong party, bad parameters.
    expect((await hub.call('GET', '/myndighed/tilbagemeldingskrav', { token: t.tilbud })).status).toBe(403);
    expect((await hub.call('GET', '/udfoerer/paamindelser', { token: t.kommune })).status).toBe(403);
    expect((await hub.call('GET', '/udfoerer/tilbagemeldingskrav?status=lukket', { token: t.tilbud })).status).toBe(
      400,
    );
    expect(
      (await hub.call('GET', '/myndighed/tilbagemeldingspligt/overholdelse?fra=1.1.2026', { token: t.kommune })).status,
    ).toBe(400);

    // Isolation: through every read route, the other tilbud and the other kommune see none of it; they do see their own.
    const hemmeligt = [
      egen.id,
      egen.borgerId,
      ...krav.map((k) => k.kravId),
      tilbagemeldingId,
      p.tilUdfoerer,
      p.tilMyndighed,
      p.afsluttet,
    ];
    expect(
      (await get(t.andenKommune, '/myndighed/tilbagemeldingskrav')).map((k: { kravId: string }) => k.kravId),
    ).toEqual([andetKrav]);
    expect(
      (await get(t.andenKommune, '/myndighed/paamindelser')).map((x: { paamindelseId: string }) => x.paamindelseId),
    ).toEqual([p.anden]);
    expect(
      (await get(t.andetTilbud, '/udfoerer/tilbagemeldingskrav')).map((k: { kravId: string }) => k.kravId),
    ).toEqual([andetKrav]);
    // /ops/stroem is an event stream that never ends; it sends what /ops/status.json answers, which is walked.
    const routes = hub.routes.filter(
      (r) =>
        r.startsWith('GET ') &&
        !['/health', '/openapi.json', '/asyncapi.json', '/ops/stroem', '/{*path}'].includes(r.slice(4)),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /udfoerer/tilbagemeldingskrav',
        'GET /myndighed/tilbagemeldingskrav',
        'GET /udfoerer/paamindelser',
        'GET /myndighed/paamindelser',
        'GET /udfoerer/tilbagemeldingspligt/overholdelse',
        'GET /myndighed/tilbagemeldingspligt/overholdelse',
      ]),
    );
    await hub.readModelsCaughtUp();
    for (const token of [t.andetTilbud, t.andenKommune]) {
      for (const route of routes) {
        const path = route.slice(4).replace(':bestillingId', egen.id).replace(':delmaalId', randomUUID());
        for (const query of ['', '?status=aaben', '?status=opfyldt', '?status=afsluttet']) {
          const res = await hub.call('GET', `${path}${query}`, { token });
          const { instance: _instance, ...body } = (
            typeof res.json === 'object' && res.json !== null ? res.json : { text: res.json }
          ) as Record<string, unknown>;
          const seen = hemmeligt.filter((s) => JSON.stringify(body).includes(s));
          expect([route, query, [200, 400, 403, 404].includes(res.status), seen]).toEqual([route, query, true, []]);
        }
      }
    }
  });

  it('documents the six routes in /openapi.json with their query parameters and response schemas', async () => {
    const doc = (await hub.call('GET', '/openapi.json')).json as {
      paths: Record<string, { get: { parameters: { name: string; in: string }[]; responses: Record<string, any> } }>;
    };
    const schema = (path: string) => doc.paths[path]?.get.responses['200']?.content['application/json'].schema;
    // The query parameters; the Purpose header of the audit log (issue 7) is on every route that touches a borger.
    const parametre = (path: string) =>
      doc.paths[path]?.get.parameters
        .filter((x) => x.in === 'query')
        .map((x) => x.name)
        .sort();
    const headers = (path: string) =>
      doc.paths[path]?.get.parameters.filter((x) => x.in === 'header').map((x) => x.name);
    for (const side of ['myndighed', 'udfoerer']) {
      expect(schema(`/${side}/tilbagemeldingskrav`).items.$ref).toBe('#/components/schemas/TilbagemeldingskravDto');
      expect(parametre(`/${side}/tilbagemeldingskrav`)).toEqual(['limit', 'offset', 'status']);
      expect(headers(`/${side}/tilbagemeldingskrav`)).toEqual(['Purpose']);
      expect(schema(`/${side}/paamindelser`).items.$ref).toBe('#/components/schemas/PaamindelseDto');
      expect(schema(`/${side}/tilbagemeldingspligt/overholdelse`).$ref).toBe(
        '#/components/schemas/OverholdelseRapportDto',
      );
      expect(parametre(`/${side}/tilbagemeldingspligt/overholdelse`)).toEqual(['fra', 'niveau', 'til']);
    }
  });
});
