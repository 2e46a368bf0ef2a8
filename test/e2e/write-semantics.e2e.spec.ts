import { randomUUID } from 'node:crypto';
import { FFB, kode } from '@hub/domain/testing/fixtures';
import { startHub, UDEN_REGLER, type RunningHub } from './support/hub';
import { spawnHub } from './support/processes';
import { bestilling, vumObservation } from './support/requests';

async function acceptedBestilling(hub: RunningHub, kommune: string, tilbud: string): Promise<string> {
  const id: string = (await hub.call('POST', '/bestillinger', { token: kommune, body: bestilling() })).json.id;
  await hub.call('POST', `/bestillinger/${id}/kvittering`, { token: tilbud, body: { version: 1 } });
  await hub.call('POST', `/bestillinger/${id}/accept`, { token: tilbud, body: {} });
  return id;
}

describe('write semantics over HTTP', () => {
  let hub: RunningHub;
  let kommune: string;
  let tilbud: string;

  beforeAll(async () => {
    hub = await startHub(UDEN_REGLER);
    kommune = await hub.token({ party: 'myndighed', id: '0101' });
    tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
  });
  afterAll(() => hub.stop());

  it('20 concurrent writers on one bestilling, through three hub instances on one store: each gets 201 or 409, and the stream holds exactly the 201 ones', async () => {
    // One process never interleaves the SQLite write path, so the writers go through several instances, as in production.
    const others = await Promise.all([spawnHub(hub.dataDir, UDEN_REGLER), spawnHub(hub.dataDir, UDEN_REGLER)]);
    try {
      const urls = [hub.url, ...others.map((o) => o.url)];
      const seen = new Set<number>();
      for (let round = 0; round < 5 && !(seen.has(201) && seen.has(409)); round++) {
        const id = await acceptedBestilling(hub, kommune, tilbud);
        const observationIds = Array.from({ length: 20 }, () => randomUUID());
        const results = await Promise.all(
          observationIds.map(async (observationId, i) => {
            const res = await fetch(`${urls[i % urls.length]}/bestillinger/${id}/vum-observationer`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${tilbud}` },
              body: JSON.stringify(vumObservation({ observationId })),
            });
            return { status: res.status, json: (await res.json()) as { code?: string } };
          }),
        );
        const statuses = results.map((r) => r.status);
        statuses.forEach((s) => seen.add(s));
        expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
        for (const r of results.filter((x) => x.status === 409))
          expect(r.json.code).toBe('EVENT_STORE.WRONG_EXPECTED_REVISION');
        const accepted = observationIds.filter((_, i) => statuses[i] === 201).sort();
        const stream = await hub.store.readStream(`bestilling-${id}`);
        const stored = stream
          .filter((e) => e.type === 'VumObservationRegistreret')
          .map((e) => (e.data as { observationId: string }).observationId);
        expect([...stored].sort()).toEqual(accepted);
        expect(stream.map((e) => e.revision)).toEqual(stream.map((_, i) => i));
      }
      expect([...seen].sort()).toEqual([201, 409]);
    } finally {
      await Promise.all(others.map((o) => o.stop()));
    }
  }, 60_000);

  it('Idempotency-Key: a retry returns the first result and changes nothing; another body with the key is refused', async () => {
    const id = await acceptedBestilling(hub, kommune, tilbud);
    const key = randomUUID();
    const body = vumObservation({ observationId: randomUUID() });
    const first = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: tilbud,
      body,
      headers: { 'idempotency-key': key },
    });
    const head = await hub.store.headPosition();
    const retry = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: tilbud,
      body,
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await hub.store.headPosition()).toBe(head);
    const other = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: tilbud,
      body: vumObservation(),
      headers: { 'idempotency-key': key },
    });
    expect([other.status, other.json.code]).toEqual([422, 'HTTP.IDEMPOTENCY_KEY_GENBRUGT']);
    expect(await hub.store.headPosition()).toBe(head);
  });

  it('Idempotency-Key: a refused command is replayed as the same refusal; keys are per caller', async () => {
    const id = await acceptedBestilling(hub, kommune, tilbud);
    const key = randomUUID();
    const bad = vumObservation({ undertemaer: [] });
    const first = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: tilbud,
      body: bad,
      headers: { 'idempotency-key': key },
    });
    const retry = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: tilbud,
      body: bad,
      headers: { 'idempotency-key': key },
    });
    expect([first.status, retry.status, retry.json.code]).toEqual([422, 422, 'R-25']);
    const otherCaller = await hub.token({ party: 'udfoerer', id: 'tilbud-4711', sub: 'another-system' });
    const fresh = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: otherCaller,
      body: vumObservation(),
      headers: { 'idempotency-key': key },
    });
    expect(fresh.status).toBe(201);
  });

  it('ETag and If-Match: the current revision writes, a stale one gets 412', async () => {
    const id = await acceptedBestilling(hub, kommune, tilbud);
    const read = await hub.call('GET', `/bestillinger/${id}`, { token: tilbud });
    expect(read.headers.get('etag')).toBe('"2"');
    const write = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: tilbud,
      body: vumObservation(),
      headers: { 'if-match': read.headers.get('etag') as string },
    });
    expect([write.status, write.headers.get('etag')]).toEqual([201, '"3"']);
    const stale = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: tilbud,
      body: vumObservation(),
      headers: { 'if-match': read.headers.get('etag') as string },
    });
    expect([stale.status, stale.json.code]).toEqual([412, 'EVENT_STORE.WRONG_EXPECTED_REVISION']);
  });

  it('another tilbud with any If-Match gets 403, never a 412 that would tell it the bestilling exists', async () => {
    const id = await acceptedBestilling(hub, kommune, tilbud);
    const andet = await hub.token({ party: 'udfoerer', id: 'tilbud-andet' });
    const answers = [];
    for (const etag of ['"0"', '"2"', '"99"']) {
      const res = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
        token: andet,
        body: vumObservation(),
        headers: { 'if-match': etag },
      });
      answers.push([res.status, res.json.code]);
    }
    expect(answers).toEqual([
      [403, 'ADGANG.ANDET_TILBUD'],
      [403, 'ADGANG.ANDET_TILBUD'],
      [403, 'ADGANG.ANDET_TILBUD'],
    ]);
  });

  it('warnings from Warn rules come back with the 2xx', async () => {
    const res = await hub.call('POST', '/bestillinger', {
      token: kommune,
      body: bestilling({ cpr: '0505054321', tilbudstype: kode(FFB.midlertidigtBotilbud), lovgrundlag: ['SEL-107'] }),
    });
    expect(res.status).toBe(201);
    expect(res.json.advarsler).toEqual([expect.objectContaining({ code: 'R-16', field: 'ydelser' })]);
  });
});

describe('durability of the embedded default', () => {
  it('a restarted hub on the same HUB_DATA_DIR has everything, and the same tokens still work', async () => {
    const first = await startHub(UDEN_REGLER);
    const kommune = await first.token({ party: 'myndighed', id: '0101' });
    const created = await first.call('POST', '/bestillinger', { token: kommune, body: bestilling() });
    expect(created.status).toBe(201);
    const events = await first.store.readAll();
    await first.stop({ keepData: true });

    const second = await startHub(UDEN_REGLER, first.dataDir);
    try {
      expect(await second.store.readAll()).toEqual(events);
      const read = await second.call('GET', `/bestillinger/${created.json.id}`, { token: kommune });
      expect([read.status, read.json.fase]).toEqual([200, 'afgivet']);
      const again = await second.call('POST', '/bestillinger', { token: kommune, body: bestilling() });
      const borger = async (id: string) =>
        ((await second.store.readStream(`bestilling-${id}`))[0]?.data as { borgerId: string }).borgerId;
      expect(await borger(again.json.id)).toBe(await borger(created.json.id));
    } finally {
      await second.stop();
    }
  });
});
