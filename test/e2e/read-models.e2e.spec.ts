import { FFB, kode } from '@hub/domain/testing/fixtures';
import { startHub, type RunningHub } from './support/hub';
import { bestilling, delmaal, opfoelgning, vumObservation } from './support/requests';

const evaluering = {
  dato: '2026-06-01',
  hvordanGaarDet: 'Møder op hver uge.',
  virkningForBorgeren: 'Mindre angst.',
  borgerensOplevelse: 'Hyggeligt.',
  refleksionerOverMetoder: 'Virker.',
  giverAnledningTilAendringer: false,
  udvikling: 'fremgang',
  konklusion: 'På vej til at blive nået.',
};

describe("what each party's read models show along a borger's lifecycle", () => {
  let hub: RunningHub;
  const t = {} as Record<'kommune' | 'andenKommune' | 'tilbud' | 'andetTilbud', string>;
  const get = async (token: string, path: string) => {
    await hub.readModelsCaughtUp();
    const res = await hub.call('GET', path, { token });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json;
  };

  beforeAll(async () => {
    hub = await startHub({ HUB_MIN_GRUPPE: '1' });
    t.kommune = await hub.token({ party: 'myndighed', id: '0101' });
    t.andenKommune = await hub.token({ party: 'myndighed', id: '0147' });
    t.tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    t.andetTilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-9999' });
  });
  afterAll(() => hub.stop());

  it('shows each step to the party it concerns, and nothing of it to anyone else', async () => {
    const id: string = (await hub.call('POST', '/bestillinger', { token: t.kommune, body: bestilling() })).json.id;
    // Another tilbud's and another kommune's bestillinger, which must never show up below.
    const andet: string = (
      await hub.call('POST', '/bestillinger', {
        token: t.kommune,
        body: bestilling({ cpr: '0202804321', tilbudId: 'tilbud-9999' }),
      })
    ).json.id;
    await hub.call('POST', '/bestillinger', {
      token: t.andenKommune,
      body: bestilling({ cpr: '0303904321', kommunekode: '0147', tilbudId: 'tilbud-5555' }),
    });

    expect(
      (await get(t.tilbud, '/udfoerer/bestillinger?afventer=kvittering')).map(
        (b: { bestillingId: string }) => b.bestillingId,
      ),
    ).toEqual([id]);
    expect(
      (await get(t.kommune, '/myndighed/bestillinger')).map((b: { bestillingId: string }) => b.bestillingId).sort(),
    ).toEqual([id, andet].sort());
    await hub.call('POST', `/bestillinger/${id}/kvittering`, { token: t.tilbud, body: { version: 1 } });
    expect(
      (await get(t.tilbud, '/udfoerer/bestillinger?afventer=accept')).map(
        (b: { bestillingId: string }) => b.bestillingId,
      ),
    ).toEqual([id]);
    await hub.call('POST', `/bestillinger/${id}/accept`, { token: t.tilbud, body: {} });
    expect(await get(t.tilbud, '/udfoerer/bestillinger?afventer=accept')).toEqual([]);

    const [maal1, maal2] = (await get(t.kommune, `/myndighed/bestillinger/${id}`)).indsatsmaal.map(
      (m: { indsatsmaalId: string }) => m.indsatsmaalId,
    );
    // Today is the real date: d1 evaluated after its evalueringsdato (no marking), d2 past its slutdato (rød), d3 past
    // its evalueringsdato with no evaluering since (gul).
    const d1: string = (
      await hub.call('POST', `/bestillinger/${id}/delmaal`, {
        token: t.tilbud,
        body: delmaal(maal1, { evalueringsdato: '2026-04-01', slutdato: '2099-08-31' }),
      })
    ).json.id;
    await hub.call('POST', `/bestillinger/${id}/delmaal`, {
      token: t.tilbud,
      body: delmaal(maal2, { navn: 'Lave mad', slutdato: '2026-05-01', evalueringsdato: null }),
    });
    await hub.call('POST', `/bestillinger/${id}/delmaal`, {
      token: t.tilbud,
      body: delmaal(maal1, { navn: 'Gå til fodbold', evalueringsdato: '2026-05-01', slutdato: '2099-08-31' }),
    });
    await hub.call('POST', `/delmaal/${d1}/observationer`, {
      token: t.tilbud,
      body: { observation: 'Deltog i fællesspisning.', observeret: '2026-03-25T18:00:00+01:00' },
    });
    const vum: string = (
      await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
        token: t.tilbud,
        body: vumObservation({ undertemaer: [kode(FFB.hukommelse)] }),
      })
    ).json.id;
    await hub.call('POST', `/delmaal/${d1}/evalueringer`, { token: t.tilbud, body: evaluering });

    // Udfører: the running indsats with its delmål, the second one past its slutdato (rød).
    const [indsats] = await get(t.tilbud, '/udfoerer/indsatser');
    expect(indsats.bestillingId).toBe(id);
    expect(indsats.delmaal.map((d: { navn: string; markering: string | null }) => [d.navn, d.markering])).toEqual([
      ['Deltage i fællesspisning en gang om ugen', null],
      ['Lave mad', 'roed'],
      ['Gå til fodbold', 'gul'],
    ]);
    const forslag = await get(t.tilbud, `/udfoerer/bestillinger/${id}/status-forslag`);
    expect(forslag).toEqual([
      { indsatsmaalId: maal1, statustekst: 'Deltage i fællesspisning en gang om ugen: På vej til at blive nået.' },
      { indsatsmaalId: maal2, statustekst: '' },
    ]);
    expect((await get(t.tilbud, '/udfoerer/frister?til=2026-12-31')).map((f: { hvad: string }) => f.hvad)).toEqual(
      expect.arrayContaining(['opfoelgning', 'delmaal_slut']),
    );

    // Search by undertema and kategori; the VUM-observation on Hukommelse is outside every indsatsmål.
    const hukommelse = await get(t.kommune, `/observationer?undertema=${kode(FFB.hukommelse)}`);
    expect(
      hukommelse.map((o: { observationId: string; udenForIndsatsmaal: boolean }) => [
        o.observationId,
        o.udenForIndsatsmaal,
      ]),
    ).toEqual([[vum, true]]);
    expect(
      (await get(t.kommune, '/observationer?kategori=aktivitetOgDeltagelse')).map((o: { type: string }) => o.type),
    ).toEqual(['delmaal']);
    expect(
      (await get(t.kommune, '/myndighed/andre-indsatsomraader')).map((o: { observationId: string }) => o.observationId),
    ).toEqual([vum]);

    // Myndighed: the indsats per indsatsmål with its delmål's latest evaluering; the tilbagemelding inbox.
    await hub.call('POST', `/bestillinger/${id}/status`, {
      token: t.tilbud,
      body: { indsatsmaal: forslag.map((f: { indsatsmaalId: string }) => ({ ...f, statustekst: 'Fremgang' })) },
    });
    const tb: string = (
      await hub.call('POST', `/bestillinger/${id}/tilbagemeldinger`, {
        token: t.tilbud,
        body: { trigger: 'T3', tekst: 'Ændret situation.', observationer: [{ type: 'vum', observationId: vum }] },
      })
    ).json.id;
    const overblik = await get(t.kommune, `/myndighed/bestillinger/${id}`);
    expect(overblik.indsatsmaal[0].senesteStatus.statustekst).toBe('Fremgang');
    expect(overblik.delmaal[0].senesteEvaluering).toMatchObject({
      udvikling: 'fremgang',
      konklusion: 'På vej til at blive nået.',
    });
    expect(
      (await get(t.kommune, '/myndighed/tilbagemeldinger?status=aaben')).map(
        (x: { tilbagemeldingId: string }) => x.tilbagemeldingId,
      ),
    ).toEqual([tb]);
    await hub.call('POST', `/bestillinger/${id}/tilbagemeldinger/${tb}/kvittering`, { token: t.kommune, body: {} });
    expect(await get(t.kommune, '/myndighed/tilbagemeldinger?status=aaben')).toEqual([]);
    expect((await get(t.kommune, '/myndighed/tilbagemeldinger?status=kvitteret')).length).toBe(1);
    expect(
      (await get(t.kommune, '/myndighed/opfoelgninger?til=2026-12-31'))
        .map((f: { indsatsmaalId: string }) => f.indsatsmaalId)
        .sort(),
    ).toEqual([maal1, maal2].sort());

    // Opfølgning → the analyst's data set: pseudonymised, one row per indsatsmål, målopfyldelse per undertema.
    await hub.call('POST', `/bestillinger/${id}/opfoelgninger`, { token: t.kommune, body: opfoelgning() });
    const maalopfyldelse = await get(t.kommune, '/analyse/maalopfyldelse');
    expect(maalopfyldelse).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          gruppe: 'Indgå i samspil og kontakt',
          n: 1,
          fordeling: { naaet_forventet: 1 },
          undertrykt: false,
        }),
      ]),
    );
    expect(await get(t.kommune, '/analyse/nye-behov')).toEqual([
      expect.objectContaining({ tilbudId: 'tilbud-4711', undertema: kode(FFB.hukommelse), n: 1 }),
    ]);
    const ndjson = (
      await (
        await fetch(`${hub.url}/analyse/indsatsmaal.ndjson`, { headers: { authorization: `Bearer ${t.kommune}` } })
      ).text()
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ndjson.length).toBe(4);
    const borgerId = ((await hub.store.readStream(`bestilling-${id}`))[0]?.data as { borgerId: string }).borgerId;
    expect(JSON.stringify(ndjson)).not.toContain(borgerId);
    expect(JSON.stringify(ndjson)).not.toContain('0101704321');
    const csv = await (
      await fetch(`${hub.url}/analyse/indsatsmaal.csv`, { headers: { authorization: `Bearer ${t.kommune}` } })
    ).text();
    expect(csv.split('\n')[0]).toContain('maalopfyldelse');
    expect(csv.trim().split('\n')).toHaveLength(5);

    // Isolation: through every read route, the other tilbud and the other kommune see nothing of this bestilling.
    const secrets = [id, borgerId, d1, vum, tb];
    // /ops/stroem is an event stream that never ends; it sends what /ops/status.json answers, which is walked.
    const routes = hub.routes.filter(
      (r) => r.startsWith('GET ') && !['/health', '/openapi.json', '/ops/stroem', '/{*path}'].includes(r.slice(4)),
    );
    expect(routes.length).toBeGreaterThanOrEqual(15);
    await hub.readModelsCaughtUp();
    for (const token of [t.andetTilbud, t.andenKommune]) {
      for (const route of routes) {
        const path = route.slice(4).replace(':bestillingId', id).replace(':delmaalId', d1);
        const res = await hub.call('GET', path, { token });
        const { instance: _instance, ...body } = (
          typeof res.json === 'object' && res.json !== null ? res.json : { text: res.json }
        ) as Record<string, unknown>;
        const seen = secrets.filter((s) => JSON.stringify(body).includes(s));
        expect([route, res.status === 200 || res.status === 403 || res.status === 404, seen]).toEqual([
          route,
          true,
          [],
        ]);
      }
    }
  }, 30_000);
});
