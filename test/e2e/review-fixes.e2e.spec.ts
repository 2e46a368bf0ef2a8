import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { FFB, kode } from '@hub/domain/testing/fixtures';
import { startHub, type RunningHub } from './support/hub';
import { bestilling, delmaal, indsatsmaal } from './support/requests';

async function accepteret(hub: RunningHub, kommune: string, tilbud: string, body = bestilling()) {
  const id: string = (await hub.call('POST', '/bestillinger', { token: kommune, body })).json.id;
  await hub.call('POST', `/bestillinger/${id}/kvittering`, { token: tilbud, body: { version: 1 } });
  await hub.call('POST', `/bestillinger/${id}/accept`, { token: tilbud, body: {} });
  const maal: string[] = (await hub.call('GET', `/bestillinger/${id}`, { token: kommune })).json.indsatsmaal.map(
    (m: { indsatsmaalId: string }) => m.indsatsmaalId,
  );
  return { id, maal };
}

describe('the rest of the lifecycle over HTTP', () => {
  let hub: RunningHub;
  const t = {} as Record<'kommune' | 'tilbud' | 'andetTilbud', string>;
  beforeAll(async () => {
    hub = await startHub();
    t.kommune = await hub.token({ party: 'myndighed', id: '0101' });
    t.tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    t.andetTilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-9999' });
  });
  afterAll(() => hub.stop());

  it('ændring: adds an indsatsmål and ends one without naming the other lists; the new version needs a kvittering before anything is accepted', async () => {
    const id: string = (
      await hub.call('POST', '/bestillinger', { token: t.kommune, body: bestilling({ cpr: '0606064321' }) })
    ).json.id;
    await hub.call('POST', `/bestillinger/${id}/kvittering`, { token: t.tilbud, body: { version: 1 } });
    const maal2: string = (await hub.call('GET', `/bestillinger/${id}`, { token: t.kommune })).json.indsatsmaal[1]
      .indsatsmaalId;
    const res = await hub.call('POST', `/bestillinger/${id}/aendringer`, {
      token: t.kommune,
      body: {
        begrundelse: 'Nyt behov',
        tilfoejIndsatsmaal: [indsatsmaal({ undertema: kode(FFB.koebeInd), relateredeUndertemaer: [] })],
        afslutIndsatsmaal: [maal2],
      },
    });
    expect([res.status, res.json.events[0].type]).toEqual([200, 'BestillingAendret']);
    const only = await hub.call('POST', `/bestillinger/${id}/aendringer`, {
      token: t.kommune,
      body: { begrundelse: 'Kun formål', indsatsformaal: 'Et nyt formål' },
    });
    expect(only.status).toBe(200);
    const state = await hub.call('GET', `/bestillinger/${id}`, { token: t.tilbud });
    expect([state.json.version, state.json.indsatsmaal.map((m: { aktiv: boolean }) => m.aktiv)]).toEqual([
      3,
      [true, false, true],
    ]);
    const accept = await hub.call('POST', `/bestillinger/${id}/accept`, { token: t.tilbud, body: {} });
    expect([accept.status, accept.json.code]).toEqual([422, 'BESTILLING.IKKE_KVITTERET']);
    await hub.call('POST', `/bestillinger/${id}/kvittering`, { token: t.tilbud, body: { version: 3 } });
    expect((await hub.call('POST', `/bestillinger/${id}/accept`, { token: t.tilbud, body: {} })).status).toBe(200);
  });

  it('annullering before an answer; afvisning with a begrundelse', async () => {
    const a: string = (
      await hub.call('POST', '/bestillinger', { token: t.kommune, body: bestilling({ cpr: '0707074321' }) })
    ).json.id;
    const ann = await hub.call('POST', `/bestillinger/${a}/annullering`, {
      token: t.kommune,
      body: { begrundelse: 'Borgeren er flyttet' },
    });
    expect([ann.status, ann.json.events[0].type]).toEqual([200, 'BestillingAnnulleret']);
    const b: string = (
      await hub.call('POST', '/bestillinger', { token: t.kommune, body: bestilling({ cpr: '0808084321' }) })
    ).json.id;
    await hub.call('POST', `/bestillinger/${b}/kvittering`, { token: t.tilbud, body: { version: 1 } });
    const afv = await hub.call('POST', `/bestillinger/${b}/afvisning`, {
      token: t.tilbud,
      body: { begrundelse: 'Ingen ledig plads' },
    });
    expect([afv.status, afv.json.events[0].type]).toEqual([200, 'BestillingAfvist']);
    expect((await hub.call('GET', `/bestillinger/${b}`, { token: t.kommune })).json.fase).toBe('afvist');
  });

  it('delmål: read, afsluttet after the indsats ends, and closed to another tilbud', async () => {
    const { id, maal } = await accepteret(hub, t.kommune, t.tilbud, bestilling({ cpr: '0909094321' }));
    const d = (
      await hub.call('POST', `/bestillinger/${id}/delmaal`, { token: t.tilbud, body: delmaal(maal[0] as string) })
    ).json.id as string;
    const read = await hub.call('GET', `/delmaal/${d}`, { token: t.kommune });
    expect([read.status, read.json.fase, read.headers.get('etag')]).toEqual([200, 'aktiv', '"0"']);
    const other = await hub.call('GET', `/delmaal/${d}`, { token: t.andetTilbud });
    expect([other.status, other.json.code]).toEqual([403, 'ADGANG.ANDET_TILBUD']);
    const otherObs = await hub.call('POST', `/delmaal/${d}/observationer`, {
      token: t.andetTilbud,
      body: { observation: 'x', observeret: '2026-03-01T10:00:00Z' },
    });
    expect([otherObs.status, otherObs.json.code]).toEqual([403, 'ADGANG.ANDET_TILBUD']);
    await hub.call('POST', `/bestillinger/${id}/afslutning`, {
      token: t.kommune,
      body: { slutdato: '2026-09-30', begrundelse: 'Slut' },
    });
    const obs = await hub.call('POST', `/delmaal/${d}/observationer`, {
      token: t.tilbud,
      body: { observation: 'x', observeret: '2026-03-01T10:00:00Z' },
    });
    expect([obs.status, obs.json.code]).toEqual([422, 'BESTILLING.AFSLUTTET']);
    const afslut = await hub.call('POST', `/delmaal/${d}/afslutning`, {
      token: t.tilbud,
      body: { maalopfyldelse: 'delvist_opnaaet', konklusion: 'Indsatsen sluttede.' },
    });
    expect([afslut.status, afslut.json.events[0].type]).toEqual([200, 'DelmaalAfsluttet']);
  });

  it('a UUID written in upper case in a body names the same resource as in lower case', async () => {
    const upper = '0B8F7A52-7C61-4D0E-9A3C-1F3C6B1D2EAA';
    const created = await hub.call('POST', '/bestillinger', {
      token: t.kommune,
      body: bestilling({ cpr: '1010104321', bestillingId: upper }),
    });
    expect([created.status, created.json.id]).toEqual([201, upper.toLowerCase()]);
    expect((await hub.call('GET', `/bestillinger/${upper}`, { token: t.kommune })).status).toBe(200);
    expect(
      (
        await hub.call('POST', `/bestillinger/${upper.toLowerCase()}/kvittering`, {
          token: t.tilbud,
          body: { version: 1 },
        })
      ).status,
    ).toBe(200);
  });

  it('If-Match on a command that creates a stream is refused', async () => {
    const res = await hub.call('POST', '/bestillinger', {
      token: t.kommune,
      body: bestilling({ cpr: '1111114321' }),
      headers: { 'if-match': '"0"' },
    });
    expect([res.status, res.json.code]).toEqual([400, 'HTTP.UGYLDIG_IF_MATCH']);
  });

  it('Idempotency-Key scopes cannot collide across callers whose ids contain the separator', async () => {
    const a = await hub.token({ party: 'udfoerer', id: 'a:b', sub: 'c' });
    const b = await hub.token({ party: 'udfoerer', id: 'a', sub: 'b:c' });
    const res1 = await hub.call('POST', '/bestillinger/5f1d3c4e-0000-4000-8000-000000000000/kvittering', {
      token: a,
      body: { version: 1 },
      headers: { 'idempotency-key': 'k1' },
    });
    const res2 = await hub.call('POST', '/bestillinger/5f1d3c4e-0000-4000-8000-000000000000/kvittering', {
      token: b,
      body: { version: 1 },
      headers: { 'idempotency-key': 'k1' },
    });
    expect([res1.status, res2.status]).toEqual([404, 404]);
    expect(res2.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a token without exp is refused', async () => {
    const secret = hub.config.auth.mode === 'hs256' ? hub.config.auth.secret : Buffer.alloc(32);
    const token = await new SignJWT({ party: 'myndighed', kommunekode: '0101' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .sign(secret);
    const res = await hub.call('GET', '/bestillinger/5f1d3c4e-0000-4000-8000-000000000000', { token });
    expect([res.status, res.json.code]).toEqual([401, 'AUTH.UGYLDIGT_TOKEN']);
  });
});

describe('the rules file', () => {
  it('makes a kommune refuse a Warn rule (R-16) and a tilbud require delmål scores (R-28)', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hub-regler-'));
    const file = join(dir, 'regler.json');
    writeFileSync(
      file,
      JSON.stringify({
        kommuner: { '0101': { afvisAdvarsler: ['R-16'] } },
        tilbud: { 'tilbud-4711': { delmaalScore: 'paakraevet' } },
      }),
    );
    const hub = await startHub({ HUB_REGLER_FILE: file }, dir);
    try {
      const kommune = await hub.token({ party: 'myndighed', id: '0101' });
      const tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
      const botilbud = await hub.call('POST', '/bestillinger', {
        token: kommune,
        body: bestilling({ tilbudstype: kode(FFB.midlertidigtBotilbud), lovgrundlag: ['SEL-107'] }),
      });
      expect([botilbud.status, botilbud.json.code]).toEqual([422, 'R-16']);
      const { id, maal } = await accepteret(hub, kommune, tilbud);
      const d = (
        await hub.call('POST', `/bestillinger/${id}/delmaal`, { token: tilbud, body: delmaal(maal[0] as string) })
      ).json.id as string;
      const uden = await hub.call('POST', `/delmaal/${d}/observationer`, {
        token: tilbud,
        body: { observation: 'x', observeret: '2026-03-01T10:00:00Z' },
      });
      expect([uden.status, uden.json.code]).toEqual([422, 'R-28']);
      const med = await hub.call('POST', `/delmaal/${d}/observationer`, {
        token: tilbud,
        body: { observation: 'x', score: 2, observeret: '2026-03-01T10:00:00Z' },
      });
      expect(med.status).toBe(201);
    } finally {
      await hub.stop();
    }
  });

  it('a bad rules file stops the hub at boot with every problem listed', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hub-regler-'));
    const file = join(dir, 'regler.json');
    writeFileSync(
      file,
      JSON.stringify({ kommuner: { '0101': { afvisAdvarsler: ['R-99'] } }, tilbud: { x: { delmaalScore: 'ja' } } }),
    );
    const { loadConfig } = await import('../../apps/hub/src/config');
    expect(() => loadConfig({ HUB_DATA_DIR: dir, HUB_ANALYSE_KEY: 'a2V5', LOG_LEVEL: 'info' })).toThrow(
      /HUB_ANALYSE_KEY must be 32 bytes/,
    );
    expect(() => loadConfig({ HUB_DATA_DIR: dir, HUB_REGLER_FILE: file, LOG_LEVEL: 'loud' })).toThrow(
      /LOG_LEVEL must be one of[\s\S]*HUB_REGLER_FILE: kommuner\.0101\.afvisAdvarsler[\s\S]*HUB_REGLER_FILE: tilbud\.x\.delmaalScore/,
    );
  });
});
