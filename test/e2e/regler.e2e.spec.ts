import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STANDARD_TAERSKLER } from '@hub/domain';
import { REGLER } from '@hub/rules';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { startHub, type RunningHub } from './support/hub';
import { bestilling, vumObservation } from './support/requests';

describe('the tilbagemeldingspligt rules in force, and their thresholds from the rules file', () => {
  let hub: RunningHub;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regler-e2e-'));
    const file = join(dir, 'regler.json');
    writeFileSync(
      file,
      JSON.stringify({
        tilbagemeldingspligt: { delmaalUdenObservationDage: 10 },
        kommuner: { '0101': { afvisAdvarsler: [], tilbagemeldingspligt: { kravFristDage: 5 } } },
      }),
    );
    hub = await startHub({ HUB_REGLER_FILE: file });
  });
  afterAll(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every rule with id, version and title, and the thresholds of the caller’s kommune', async () => {
    const kommune = await hub.token({ party: 'myndighed', id: '0101' });
    const res = await hub.call('GET', '/tilbagemeldingspligt/regler', { token: kommune });
    expect(res.status).toBe(200);
    expect(res.json.regler.map((r: { id: string; version: number }) => `${r.id}@${r.version}`)).toEqual(
      REGLER.map((r) => `${r.id}@${r.version}`),
    );
    expect(res.json).toMatchObject({
      kommunekode: '0101',
      taerskler: { ...STANDARD_TAERSKLER, kravFristDage: 5, delmaalUdenObservationDage: 10 },
      standard: STANDARD_TAERSKLER,
    });
    const tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    const andenKommune = await hub.call('GET', '/tilbagemeldingspligt/regler?kommunekode=0147', { token: tilbud });
    expect(andenKommune.json).toMatchObject({
      kommunekode: '0147',
      taerskler: { ...STANDARD_TAERSKLER, delmaalUdenObservationDage: 10 },
    });
    const bad = await hub.call('GET', '/tilbagemeldingspligt/regler?kommunekode=101', { token: tilbud });
    expect([bad.status, bad.json.errors?.[0]?.field]).toEqual([400, 'kommunekode']);
    expect((await hub.call('GET', '/tilbagemeldingspligt/regler')).status).toBe(401);
  });

  it('the running rules use the kommune’s thresholds: a T1 krav gets the kommune’s frist', async () => {
    const kommune = await hub.token({ party: 'myndighed', id: '0101' });
    const tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    const afgiv = await hub.call('POST', '/bestillinger', { token: kommune, body: bestilling() });
    const id: string = afgiv.json.id;
    await hub.call('POST', `/bestillinger/${id}/kvittering`, { token: tilbud, body: { version: 1 } });
    await hub.call('POST', `/bestillinger/${id}/accept`, { token: tilbud, body: {} });
    const vum = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: tilbud,
      body: vumObservation({ borgerTagerIkkeImod: true, paavirkerIndsatsen: false }),
    });
    expect(vum.status).toBe(201);
    const stored = (await hub.store.readStream(`bestilling-${id}`)).find((e) => e.type === 'VumObservationRegistreret');
    const registreret = new Date((stored?.data as { registreret: string }).registreret);
    const krav = await eventually(
      async () =>
        (await hub.store.readStream(`tilbagemeldingspligt-${id}`)).find(
          (e) => e.type === 'TilbagemeldingKraevet' && (e.data as { trigger: string }).trigger === 'T1',
        ),
      (found) => found !== undefined,
      10_000,
      'the T1 krav',
    );
    const frist = new Date(registreret.getTime() + 5 * 86_400_000).toISOString().slice(0, 10);
    expect(krav?.data).toMatchObject({ trigger: 'T1', niveau: 'paakraevet', frist });
  });
});
