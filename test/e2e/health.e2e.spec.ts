import { startHub } from './support/hub';

describe('GET /health', () => {
  it("is 200 with the store's position, the read store, each role and each read model's lag when ready, and 503 naming the store when it is down", async () => {
    const hub = await startHub();
    try {
      const ok = await hub.call('GET', '/health');
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({
        status: 'ok',
        parts: {
          store: { status: 'ok', position: 0 },
          readStore: { status: 'ok' },
          api: { status: 'ok' },
          projector: { status: 'ok' },
          rules: { status: 'ok' },
        },
      });
      expect(
        ok.json.parts.projector.readModels.map((r: { readModel: string; lag: number }) => [r.readModel, r.lag]),
      ).toEqual([
        ['sagsoversigt', 0],
        ['observationer', 0],
        ['analyse', 0],
        ['tilbagemeldingspligt', 0],
      ]);
      await hub.store.close();
      const down = await hub.call('GET', '/health');
      expect(down.status).toBe(503);
      expect(down.json).toEqual({
        status: 'unavailable',
        // The read store is its own file: it still answers; the roles that read the store are not asked.
        parts: {
          store: { status: 'down', code: 'EVENT_STORE.UNAVAILABLE' },
          readStore: { status: 'ok' },
          api: { status: 'ok' },
        },
      });
      expect(JSON.stringify(down.json)).not.toContain(hub.dataDir);
    } finally {
      await hub.stop();
    }
  });
});
