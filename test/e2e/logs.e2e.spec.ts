import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevToken } from '../../apps/hub/src/auth/dev-token';
import { spawnHub } from './support/processes';
import { bestilling, indsatsmaal } from './support/requests';

describe('logs', () => {
  it('are structured JSON with a correlation id and the party, and carry no CPR, name or free text', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-logs-'));
    const secret = Buffer.alloc(32, 9);
    const hub = await spawnHub(dataDir, { LOG_LEVEL: 'debug', HUB_JWT_SECRET: secret.toString('base64') });
    try {
      const token = await mintDevToken(secret, { party: 'myndighed', id: '0101' });
      const send = (body: unknown, correlationId: string) =>
        fetch(`${hub.url}/bestillinger`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'x-correlation-id': correlationId,
          },
          body: JSON.stringify(body),
        });
      const personal = { cpr: '1212804321', borgerensOensker: 'Hans Hansen vil gerne bo på Nørrebro igen.' };
      expect((await send(bestilling(personal), 'corr-ok-1')).status).toBe(201);
      expect(
        (await send(bestilling({ ...personal, indsatsmaal: [indsatsmaal({ undertema: ['x', 'y'] })] }), 'corr-bad-2'))
          .status,
      ).toBe(422);
      expect((await send({ ...personal, navn: 'Hans Hansen' }, 'corr-bad-3')).status).toBe(400);
      expect((await send(bestilling({ cpr: '1212804321-x' }), 'corr-bad-4')).status).toBe(422);
      await new Promise((r) => setTimeout(r, 300));
      const lines = hub
        .output()
        .split('\n')
        .filter((l) => l.trim() !== '');
      const requestLines = lines
        .map((l) => JSON.parse(l) as { req?: { id?: string }; party?: string; kommunekode?: string })
        .filter((l) => l.req);
      expect(requestLines.map((l) => l.req?.id)).toEqual(
        expect.arrayContaining(['corr-ok-1', 'corr-bad-2', 'corr-bad-3', 'corr-bad-4']),
      );
      expect(requestLines.every((l) => l.party === 'myndighed' && l.kommunekode === '0101')).toBe(true);
      const all = hub.output();
      for (const secretText of ['1212804321', '121280-4321', 'Hans Hansen', 'Nørrebro', 'authorization', 'Bearer'])
        expect(all).not.toContain(secretText);
    } finally {
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
