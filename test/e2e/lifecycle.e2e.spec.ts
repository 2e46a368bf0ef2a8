import { REGLER } from '@hub/rules';
import { startHub, type RunningHub } from './support/hub';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { bestilling, delmaal, opfoelgning, vumObservation } from './support/requests';

describe("one borger's indsats over HTTP, from bestilling to afslutning", () => {
  let hub: RunningHub;
  let kommune: string;
  let tilbud: string;

  beforeAll(async () => {
    hub = await startHub();
    kommune = await hub.token({ party: 'myndighed', id: '0101' });
    tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
  });
  afterAll(() => hub.stop());

  it('drives the lifecycle and stores each event', async () => {
    const afgiv = await hub.call('POST', '/bestillinger', { token: kommune, body: bestilling() });
    expect(afgiv.status).toBe(201);
    const bestillingId: string = afgiv.json.id;
    expect(afgiv.headers.get('location')).toBe(`/bestillinger/${bestillingId}`);
    expect(afgiv.headers.get('etag')).toBe('"0"');
    expect(afgiv.json).toMatchObject({
      streamId: `bestilling-${bestillingId}`,
      revision: 0,
      events: [{ type: 'BestillingAfgivet' }],
      advarsler: [],
    });

    const state = await hub.call('GET', `/bestillinger/${bestillingId}`, { token: tilbud });
    expect(state.status).toBe(200);
    expect(state.json).toMatchObject({ fase: 'afgivet', version: 1, kommunekode: '0101', tilbudId: 'tilbud-4711' });
    expect(state.json.indsatsmaal).toHaveLength(2);
    expect(JSON.stringify(state.json)).not.toContain('0101704321');
    const [maal1, maal2] = state.json.indsatsmaal.map((m: { indsatsmaalId: string }) => m.indsatsmaalId);

    const steps: [string, string, string, unknown, number, string][] = [
      [tilbud, 'POST', `/bestillinger/${bestillingId}/kvittering`, { version: 1 }, 200, 'BestillingKvitteret'],
      [
        tilbud,
        'POST',
        `/bestillinger/${bestillingId}/accept`,
        { forventetStartdato: '2026-03-15' },
        200,
        'BestillingAccepteret',
      ],
    ];
    for (const [token, method, path, body, status, type] of steps) {
      const res = await hub.call(method, path, { token, body });
      expect([path, res.status, res.json.events?.[0]?.type]).toEqual([path, status, type]);
    }

    const d1 = await hub.call('POST', `/bestillinger/${bestillingId}/delmaal`, { token: tilbud, body: delmaal(maal1) });
    const d2 = await hub.call('POST', `/bestillinger/${bestillingId}/delmaal`, {
      token: tilbud,
      body: delmaal(maal2, { navn: 'Lave aftensmad om tirsdagen' }),
    });
    expect([d1.status, d2.status]).toEqual([201, 201]);
    expect(d1.headers.get('location')).toBe(`/delmaal/${d1.json.id}`);

    const observationer = [];
    for (const [d, tekst] of [
      [d1, 'Deltog i fællesspisning i 20 minutter.'],
      [d2, 'Skrællede kartofler med støtte.'],
    ] as const) {
      const res = await hub.call('POST', `/delmaal/${d.json.id}/observationer`, {
        token: tilbud,
        body: { observation: tekst, refleksion: 'Virkede tryg.', score: 2, observeret: '2026-03-25T18:30:00+01:00' },
      });
      expect(res.status).toBe(201);
      observationer.push({ type: 'delmaal', observationId: res.json.id, delmaalId: d.json.id });
    }
    const vum = await hub.call('POST', `/bestillinger/${bestillingId}/vum-observationer`, {
      token: tilbud,
      body: vumObservation({ observeret: '2026-03-28T21:00:00+01:00' }),
    });
    expect(vum.status).toBe(201);

    const evaluering = await hub.call('POST', `/delmaal/${d1.json.id}/evalueringer`, {
      token: tilbud,
      body: {
        dato: '2026-06-01',
        hvordanGaarDet: 'Møder op hver uge.',
        virkningForBorgeren: 'Mindre angst ved måltider.',
        borgerensOplevelse: 'Det er hyggeligt.',
        refleksionerOverMetoder: 'Low arousal virker.',
        giverAnledningTilAendringer: false,
        udvikling: 'fremgang',
        konklusion: 'Delmålet er på vej til at blive nået.',
      },
    });
    expect(evaluering.status).toBe(201);

    const status = await hub.call('POST', `/bestillinger/${bestillingId}/status`, {
      token: tilbud,
      body: {
        indsatsmaal: [
          { indsatsmaalId: maal1, statustekst: 'Fremgang i fællesspisning.' },
          { indsatsmaalId: maal2, statustekst: 'Øver stadig.' },
        ],
      },
    });
    expect(status.status).toBe(201);

    const tilbagemelding = await hub.call('POST', `/bestillinger/${bestillingId}/tilbagemeldinger`, {
      token: tilbud,
      body: {
        trigger: 'T3',
        tekst: 'Borgerens situation har ændret sig.',
        indsatsmaalId: maal1,
        observationer: [...observationer, { type: 'vum', observationId: vum.json.id }],
      },
    });
    expect(tilbagemelding.status).toBe(201);
    const kvitteret = await hub.call(
      'POST',
      `/bestillinger/${bestillingId}/tilbagemeldinger/${tilbagemelding.json.id}/kvittering`,
      { token: kommune, body: { bemaerkning: 'Tak, vi tager det med på opfølgningen.' } },
    );
    expect(kvitteret.status).toBe(200);

    const opf = await hub.call('POST', `/bestillinger/${bestillingId}/opfoelgninger`, {
      token: kommune,
      body: opfoelgning(),
    });
    expect(opf.status).toBe(201);
    const afslut = await hub.call('POST', `/bestillinger/${bestillingId}/afslutning`, {
      token: kommune,
      body: { slutdato: '2026-09-30', begrundelse: 'Målene er nået.' },
    });
    expect(afslut.status).toBe(200);
    expect(afslut.headers.get('etag')).toBe('"8"');

    const stream = await hub.store.readStream(`bestilling-${bestillingId}`);
    expect(stream.map((e) => e.type)).toEqual([
      'BestillingAfgivet',
      'BestillingKvitteret',
      'BestillingAccepteret',
      'VumObservationRegistreret',
      'StatusSendt',
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
      'udfoerer',
      'myndighed',
      'myndighed',
      'myndighed',
    ]);
    const afgivet = stream[0]?.data as {
      borgerId: string;
      indsatsmaal: { undertema: { code: string; display: string } }[];
    };
    expect(afgivet.indsatsmaal.map((m) => m.undertema.display)).toEqual(['Indgå i samspil og kontakt', 'Lave mad']);
    expect(JSON.stringify(stream)).not.toContain('0101704321');
    const delmaalStream = await hub.store.readStream(`delmaal-${d1.json.id}`);
    expect(delmaalStream.map((e) => e.type)).toEqual([
      'DelmaalOprettet',
      'DelmaalsobservationRegistreret',
      'DelmaalEvalueret',
    ]);
    // The parties' events; the hub's own rules may have added tilbagemeldingspligt events beside them.
    const partsEvents = (await hub.store.readAll()).filter((e) => !e.streamId.startsWith('tilbagemeldingspligt-'));
    expect(partsEvents).toHaveLength(9 + 3 + 2);

    // What each party's read models show at the end, and that another tilbud sees none of it.
    await hub.readModelsCaughtUp();
    const sag = await hub.call('GET', `/myndighed/bestillinger/${bestillingId}`, { token: kommune });
    expect(sag.json).toMatchObject({
      fase: 'afsluttet',
      opfoelgninger: [{ statusPaaIndsats: { display: 'Træf afgørelse om fortsættelse af indsats' } }],
    });
    expect(sag.json.tilbagemeldinger).toEqual([
      expect.objectContaining({ trigger: 'T3', kvitteret: expect.any(String) }),
    ]);
    expect(sag.json.delmaal.map((d: { antalObservationer: number }) => d.antalObservationer)).toEqual([1, 1]);
    const tilbudsListe = await hub.call('GET', '/udfoerer/bestillinger?fase=afsluttet', { token: tilbud });
    expect(tilbudsListe.json.map((b: { bestillingId: string }) => b.bestillingId)).toEqual([bestillingId]);
    const soeg = await hub.call('GET', `/observationer?borgerId=${afgivet.borgerId}`, { token: kommune });
    expect(soeg.json.map((o: { type: string }) => o.type).sort()).toEqual(['delmaal', 'delmaal', 'vum']);
    const andetTilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-9999' });
    for (const path of [
      '/udfoerer/bestillinger',
      '/udfoerer/indsatser',
      '/udfoerer/frister?til=2099-01-01',
      `/observationer?borgerId=${afgivet.borgerId}`,
    ]) {
      expect((await hub.call('GET', path, { token: andetTilbud })).json).toEqual([]);
    }
    expect((await hub.call('GET', `/bestillinger/${bestillingId}`, { token: andetTilbud })).status).toBe(403);

    // The VUM-observation recommended a tilbagemelding (T3) that no tilbagemelding named; the afslutning lapses it.
    const lapsed = await eventually(
      async () => {
        await hub.readModelsCaughtUp();
        const res = await hub.call('GET', '/myndighed/tilbagemeldingskrav?status=bortfaldet', { token: kommune });
        return res.json.filter((k: { bestillingId: string }) => k.bestillingId === bestillingId);
      },
      (found) => found.length > 0,
      10_000,
      'the T3 recommendation lapsed',
    );
    expect(lapsed).toEqual([
      expect.objectContaining({ trigger: 'T3', niveau: 'anbefalet', bortfaldsaarsag: 'indsats_afsluttet' }),
    ]);
    const aabne = await hub.call('GET', '/myndighed/tilbagemeldingskrav?status=aaben', { token: kommune });
    expect(aabne.json.filter((k: { bestillingId: string }) => k.bestillingId === bestillingId)).toEqual([]);

    const after = await hub.call('POST', `/bestillinger/${bestillingId}/vum-observationer`, {
      token: tilbud,
      body: vumObservation(),
    });
    expect([after.status, after.json.code]).toEqual([422, 'BESTILLING.AFSLUTTET']);
  });
  it('a borger without progress: the udfører is required to report back, does so, the myndighed kvitterer, and compliance shows it met', async () => {
    const afgiv = await hub.call('POST', '/bestillinger', {
      token: kommune,
      body: bestilling({ cpr: '0202804321' }),
    });
    expect(afgiv.status).toBe(201);
    const bestillingId: string = afgiv.json.id;
    const state = await hub.call('GET', `/bestillinger/${bestillingId}`, { token: tilbud });
    const maal1: string = state.json.indsatsmaal[0].indsatsmaalId;
    expect(state.json.indsatsmaal[0].maaltype.display).toBe('Udvikle funktionsevne');
    for (const [path, body] of [
      ['kvittering', { version: 1 }],
      ['accept', { forventetStartdato: '2026-03-15' }],
    ] as const)
      expect((await hub.call('POST', `/bestillinger/${bestillingId}/${path}`, { token: tilbud, body })).status).toBe(
        200,
      );
    const d = await hub.call('POST', `/bestillinger/${bestillingId}/delmaal`, { token: tilbud, body: delmaal(maal1) });
    expect(d.status).toBe(201);
    const obs = await hub.call('POST', `/delmaal/${d.json.id}/observationer`, {
      token: tilbud,
      body: {
        observation: 'Blev i lejligheden; ville ikke med.',
        refleksion: null,
        score: 3,
        observeret: '2026-04-02T18:00:00+02:00',
      },
    });
    expect(obs.status).toBe(201);
    const evalueringer: string[] = [];
    for (const [dato, udvikling] of [
      ['2026-04-15', 'uaendret'],
      ['2026-05-15', 'tilbagegang'],
    ] as const) {
      const res = await hub.call('POST', `/delmaal/${d.json.id}/evalueringer`, {
        token: tilbud,
        body: {
          dato,
          hvordanGaarDet: 'Deltager ikke i fællesspisningen.',
          virkningForBorgeren: 'Ingen synlig virkning.',
          borgerensOplevelse: 'Det er for svært.',
          refleksionerOverMetoder: 'Metoden rammer ikke.',
          giverAnledningTilAendringer: true,
          udvikling,
          konklusion: 'Ingen fremgang mod delmålet.',
        },
      });
      expect(res.status).toBe(201);
      evalueringer.push(res.json.events[0].eventId);
    }

    // The rules see two evalueringer in a row without fremgang on an Udvikle-indsatsmål: a T2 krav for the udfører.
    const krav = await eventually(
      async () => {
        await hub.readModelsCaughtUp();
        const res = await hub.call('GET', '/udfoerer/tilbagemeldingskrav?status=aaben', { token: tilbud });
        return res.json.find(
          (k: { bestillingId: string; trigger: string }) => k.bestillingId === bestillingId && k.trigger === 'T2',
        );
      },
      (found) => found !== undefined,
      10_000,
      "a T2 krav in the udfører's list",
    );
    expect(krav).toMatchObject({
      trigger: 'T2',
      niveau: 'paakraevet',
      indsatsmaalId: maal1,
      regel: { id: 'T2-MAALTYPE', version: REGLER.find((r) => r.id === 'T2-MAALTYPE')?.version },
      aarsager: [evalueringer[1]],
      opfyldt: null,
      overskredet: false,
    });
    expect(krav.begrundelse).toContain('2 evalueringer i træk uden fremgang');
    const mynd = await hub.call('GET', '/myndighed/tilbagemeldingskrav?status=aaben', { token: kommune });
    expect(mynd.json.map((k: { kravId: string }) => k.kravId)).toContain(krav.kravId);
    const andetTilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-9999' });
    expect((await hub.call('GET', '/udfoerer/tilbagemeldingskrav', { token: andetTilbud })).json).toEqual([]);

    // The udfører meets it with a tilbagemelding that references it; the myndighed kvitterer.
    const tilbagemelding = await hub.call('POST', `/bestillinger/${bestillingId}/tilbagemeldinger`, {
      token: tilbud,
      body: {
        trigger: 'T2',
        tekst: 'Borgeren udvikler sig ikke som forventet; vi foreslår at justere delmålet.',
        indsatsmaalId: maal1,
        opfylderKravId: krav.kravId,
        observationer: [{ type: 'delmaal', observationId: obs.json.id, delmaalId: d.json.id }],
      },
    });
    expect(tilbagemelding.status).toBe(201);
    const igen = await hub.call('POST', `/bestillinger/${bestillingId}/tilbagemeldinger`, {
      token: tilbud,
      body: { trigger: 'T2', tekst: 'Igen.', opfylderKravId: krav.kravId },
    });
    expect([igen.status, igen.json.code]).toEqual([422, 'TILBAGEMELDINGSKRAV.ALLEREDE_OPFYLDT']);
    const kvittering = await hub.call(
      'POST',
      `/bestillinger/${bestillingId}/tilbagemeldinger/${tilbagemelding.json.id}/kvittering`,
      { token: kommune, body: { bemaerkning: 'Modtaget; vi tager det op på opfølgningen.' } },
    );
    expect(kvittering.status).toBe(200);

    // The requirement and its fulfilment are events in the log, with the rule and the causes.
    const pligt = await eventually(
      () => hub.store.readStream(`tilbagemeldingspligt-${bestillingId}`),
      (events) => events.some((e) => e.type === 'TilbagemeldingskravOpfyldt'),
      10_000,
      'the krav recorded as met',
    );
    expect(
      pligt.filter((e) => e.data && (e.data as { kravId?: string }).kravId === krav.kravId).map((e) => e.type),
    ).toEqual(['TilbagemeldingKraevet', 'TilbagemeldingskravOpfyldt']);
    expect(pligt.map((e) => e.metadata.actor.party)).toEqual(pligt.map(() => 'hub'));

    // The compliance query shows it met, by its frist, and kvitteret.
    const overholdelse = await eventually(
      async () => {
        await hub.readModelsCaughtUp();
        const res = await hub.call('GET', '/myndighed/tilbagemeldingspligt/overholdelse', { token: kommune });
        return res.json.triggere.find((t: { trigger: string }) => t.trigger === 'T2');
      },
      (t2) => t2 !== undefined && t2.kvitteret >= 1,
      10_000,
      'the T2 krav kvitteret in the compliance figures',
    );
    expect(overholdelse).toMatchObject({
      kraevet: 1,
      opfyldt: 1,
      opfyldtIndenFrist: 1,
      aabne: 0,
      overskredne: 0,
      kvitteret: 1,
    });
    const opfyldt = await hub.call('GET', '/udfoerer/tilbagemeldingskrav?status=opfyldt', { token: tilbud });
    expect(opfyldt.json.find((k: { kravId: string }) => k.kravId === krav.kravId)).toMatchObject({
      tilbagemeldingId: tilbagemelding.json.id,
      kvitteret: expect.any(String),
    });
  });
});
