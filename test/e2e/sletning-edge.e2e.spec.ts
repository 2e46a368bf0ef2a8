import { randomUUID } from 'node:crypto';
import { startHub, UDEN_REGLER, type RunningHub } from './support/hub';
import { bestilling } from './support/requests';

const CPR = '0909904321';

describe('erasure: the edges of POST /sletning', () => {
  let hub: RunningHub;
  let kommune: string;

  beforeAll(async () => {
    hub = await startHub({ ...UDEN_REGLER });
    kommune = await hub.token({ party: 'myndighed', id: '0101' });
  });
  afterAll(() => hub.stop());

  const post = (path: string, body: unknown) => hub.call('POST', path, { token: kommune, body });

  it('calls a refused erasure off: the borger is written to as before, nothing is appended', async () => {
    const a = await post('/bestillinger', bestilling({ cpr: CPR }));
    expect(a.status).toBe(201);
    await hub.readModelsCaughtUp();
    const head = await hub.store.headPosition();
    const refused = await post('/sletning', { cpr: CPR });
    expect([refused.status, refused.json.code]).toEqual([422, 'BORGER.AKTIV_INDSATS']);
    expect(await hub.store.headPosition()).toBe(head);
    // Not left marked as being erased: a new bestilling for the same borger is taken at once (not 409).
    const b = await post('/bestillinger', bestilling({ cpr: CPR }));
    expect(b.status).toBe(201);
    const [stateA, stateB] = await Promise.all(
      [a.json.id, b.json.id].map(
        async (id: string) => (await hub.call('GET', `/bestillinger/${id}`, { token: kommune })).json,
      ),
    );
    expect(stateB.borgerId).toBe(stateA.borgerId);
    expect(stateB.borgerensOensker).toBe(bestilling().borgerensOensker);
  });

  it('finishes an erasure whose event is in the log but whose key was not deleted (a crash in between)', async () => {
    const cpr = '1010904321';
    const a = await post('/bestillinger', bestilling({ cpr }));
    expect((await post(`/bestillinger/${a.json.id}/annullering`, { begrundelse: 'Fejl.' })).status).toBe(200);
    const state = (await hub.call('GET', `/bestillinger/${a.json.id}`, { token: kommune })).json;
    // The erasure event as the erasure appends it, then "the crash": the key is still in the vault.
    const { lastPosition } = await hub.store.appendToStream(
      `borger-${state.borgerId}`,
      [
        {
          eventId: randomUUID(),
          type: 'BorgerSlettet',
          data: {
            borgerId: state.borgerId,
            kommunekode: '0101',
            slettet: '2026-11-30T10:00:00.000Z',
            bestillinger: [{ bestillingId: a.json.id, kommunekode: '0101', tilbudId: 'tilbud-4711' }],
          },
          metadata: {
            schemaVersion: 1,
            occurredAt: '2026-11-30T10:00:00.000Z',
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actor: { party: 'myndighed', subject: 'sagsbehandler', kommunekode: '0101' },
          },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    expect((await hub.call('GET', `/bestillinger/${a.json.id}`, { token: kommune })).json.borgerensOensker).not.toBe(
      '[slettet]',
    );
    const other = await hub.token({ party: 'myndighed', id: '0147' });
    expect((await hub.call('POST', '/sletning', { token: other, body: { cpr } })).status).toBe(404);
    const retry = await post('/sletning', { cpr });
    expect([retry.status, retry.json.position, retry.json.bestillinger]).toEqual([200, lastPosition, [a.json.id]]);
    // Finished: no second event, the key is gone.
    expect(await hub.store.headPosition()).toBe(lastPosition);
    expect((await hub.call('GET', `/bestillinger/${a.json.id}`, { token: kommune })).json.borgerensOensker).toBe(
      '[slettet]',
    );
  });
});
