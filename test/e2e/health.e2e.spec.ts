import { startHub } from './support/hub';

describe('GET /health', () => {
  it("is 200 with the store's position when ready, and 503 naming the store when it is down", async () => {
    const hub = await startHub();
    try {
      const ok = await hub.call('GET', '/health');
      expect([ok.status, ok.json]).toEqual([200, { status: 'ok', parts: { store: { status: 'ok', position: 0 } } }]);
      await hub.store.close();
      const down = await hub.call('GET', '/health');
      expect(down.status).toBe(503);
      expect(down.json).toEqual({
        status: 'unavailable',
        parts: { store: { status: 'down', code: 'EVENT_STORE.UNAVAILABLE' } },
      });
      expect(JSON.stringify(down.json)).not.toContain(hub.dataDir);
    } finally {
      await hub.stop();
    }
  });
});
