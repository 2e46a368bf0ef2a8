import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../apps/hub/src/config';
import { rawRequest } from '../campaign/http-raw';
import { startHub, UDEN_REGLER, type RunningHub } from './support/hub';

// The campaign itself (hostile input and data-dir faults among its parts) runs in campaign.e2e.spec.ts.
describe('what the campaign found (regressions)', () => {
  let hub: RunningHub;
  let tilbud: string;
  beforeAll(async () => {
    hub = await startHub(UDEN_REGLER);
    tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
  });
  afterAll(() => hub.stop());
  const port = () => Number(new URL(hub.url).port);

  it('a request Node refuses to parse (a control character in a header) gets a problem+json 400', async () => {
    const res = await rawRequest(port(), {
      method: 'GET',
      path: '/udfoerer/indsatser',
      headers: [
        ['Authorization', `Bearer ${tilbud}`],
        ['Purpose', 'levering\x01'],
      ],
    });
    if ('error' in res) throw new Error(res.error);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body.toString()).code).toBe('HTTP.UGYLDIG_FORESPOERGSEL');
  });

  it('a JSON body in a charset other than UTF-8 is 415, not 500', async () => {
    const res = await hub.call('POST', `/bestillinger/${'0'.repeat(8)}-0000-4000-8000-000000000000/accept`, {
      token: tilbud,
      rawBody: '{}',
      headers: { 'content-type': 'application/json; charset=latin1' },
    });
    expect(res.status).toBe(415);
    expect(res.json.code).toBe('HTTP.UGYLDIG_MEDIETYPE');
  });

  it('a body nested 10,000 levels deep is 400, not 500 (the validation would overflow the stack)', async () => {
    const head = await hub.store.headPosition();
    for (const rawBody of [
      '['.repeat(10_000) + ']'.repeat(10_000),
      '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
    ]) {
      const res = await hub.call('POST', `/bestillinger/${'0'.repeat(8)}-0000-4000-8000-000000000000/afvisning`, {
        token: tilbud,
        rawBody,
      });
      expect(res.status).toBe(400);
      expect(res.json.code).toBe('HTTP.UGYLDIG_JSON');
    }
    expect(await hub.store.headPosition()).toBe(head);
  });

  it('HUB_DATA_DIR naming a file stops the boot with a configuration problem that says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-dd-'));
    try {
      const file = join(dir, 'events');
      writeFileSync(file, 'x');
      expect(() => loadConfig({ HUB_DATA_DIR: file })).toThrow(ConfigError);
      expect(() => loadConfig({ HUB_DATA_DIR: file })).toThrow(/HUB_DATA_DIR .* is not a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
