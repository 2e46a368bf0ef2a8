import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError, SLETTET_TEKST } from '@hub/domain';
import { dropSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { borgerAfTekst, erKrypteretTekst, Fritekst } from './fritekst';
import { openPiiVault, SletningIGangError, type PiiVault } from './pii-vault';

const afgivet = (marker: string) => ({
  type: 'BestillingAfgivet',
  data: {
    bestillingId: randomUUID(),
    borgerensOensker: `${marker} ønsker at bo i egen bolig`,
    indsatsformaal: `${marker} formål`,
    kommunekode: '0101',
    indsatsmaal: [
      { indsatsmaalId: 'a', maalformulering: `${marker} mål 1`, ansvarligForOpfoelgning: 'Bo Ansvarlig', nummer: 1 },
      { indsatsmaalId: 'b', maalformulering: `${marker} mål 2`, ansvarligForOpfoelgning: 'Bo Ansvarlig', nummer: 2 },
    ],
  },
});
const observation = (refleksion: string | null) => ({
  type: 'DelmaalsobservationRegistreret',
  data: { observationId: randomUUID(), observation: 'Hanne var glad i dag', refleksion, score: 3 },
});

async function sqliteVault(): Promise<{ vault: PiiVault; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'fritekst-'));
  const vault = await openPiiVault({ kind: 'sqlite', file: join(dir, 'pii.sqlite') }, { masterKey: randomBytes(32) });
  return {
    vault,
    cleanup: async () => {
      await vault.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresVault(): Promise<{ vault: PiiVault; cleanup: () => Promise<void> }> {
  await requirePostgres();
  const schema = `fritekst_${randomBytes(6).toString('hex')}`;
  const vault = await openPiiVault(
    { kind: 'postgres', connectionString: PG_URL, schema },
    { masterKey: randomBytes(32) },
  );
  return {
    vault,
    cleanup: async () => {
      await vault.close();
      await dropSchema(schema);
    },
  };
}

describe.each([
  ['SQLite', sqliteVault],
  ['PostgreSQL', postgresVault],
])('Fritekst on the %s vault', (_name, makeVault) => {
  let vault: PiiVault;
  let cleanup: () => Promise<void>;
  let fritekst: Fritekst;
  const borger = async (cpr: string) => (await vault.registrerBorger(cpr, randomUUID)).borgerId;

  beforeEach(async () => {
    ({ vault, cleanup } = await makeVault());
    fritekst = new Fritekst(vault);
  });
  afterEach(() => cleanup());

  it('encrypts exactly the listed free-text fields, and opens them again to the same data', async () => {
    const borgerId = await borger('0101704321');
    const events = [afgivet('MÆRKE-1'), observation(null), observation('en refleksion')];
    const protectedEvents = await fritekst.beskyt(borgerId, events);
    const [a, o1, o2] = protectedEvents as unknown as [
      ReturnType<typeof afgivet>,
      ReturnType<typeof observation>,
      ReturnType<typeof observation>,
    ];
    expect(JSON.stringify(protectedEvents)).not.toMatch(/MÆRKE-1|Hanne|Bo Ansvarlig|en refleksion/);
    expect(erKrypteretTekst(a.data.borgerensOensker)).toBe(true);
    expect(a.data.indsatsmaal.every((m) => erKrypteretTekst(m.maalformulering))).toBe(true);
    expect(borgerAfTekst(a.data.indsatsformaal)).toBe(borgerId);
    // Ids, codes, numbers and absent text stay as they were.
    expect(a.data.kommunekode).toBe('0101');
    expect(a.data.indsatsmaal.map((m) => [m.indsatsmaalId, m.nummer])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(o1.data.refleksion).toBeNull();
    expect(o1.data.score).toBe(3);
    expect(erKrypteretTekst(o2.data.refleksion)).toBe(true);
    // The same text twice gives two ciphertexts (random IV): nothing can be learnt by comparing them.
    expect(o1.data.observation).not.toBe(o2.data.observation);
    expect(await fritekst.afsloer(protectedEvents)).toEqual(events);
    // The input is not changed.
    expect((events[0] as ReturnType<typeof afgivet>).data.borgerensOensker).toBe('MÆRKE-1 ønsker at bo i egen bolig');
  });

  it("shows an erased borger's texts as [slettet] and leaves other borgere's readable", async () => {
    const hans = await borger('0101704321');
    const grete = await borger('0202804322');
    const [h] = await fritekst.beskyt(hans, [afgivet('HANS')]);
    const [g] = await fritekst.beskyt(grete, [afgivet('GRETE')]);
    expect(await vault.slet(hans)).toBe(true);
    const shown = await fritekst.afsloer({ liste: [h, g], andet: 42, dato: '2026-01-01' });
    expect(JSON.stringify(shown)).not.toContain('HANS');
    expect(shown.liste[0]?.data.borgerensOensker).toBe(SLETTET_TEKST);
    expect(shown.liste[0]?.data.indsatsmaal.map((m) => m.maalformulering)).toEqual([SLETTET_TEKST, SLETTET_TEKST]);
    expect(shown.liste[1]?.data.borgerensOensker).toBe('GRETE ønsker at bo i egen bolig');
    expect(shown.andet).toBe(42);
    // Nothing more can be recorded about the erased borger.
    const refused = await fritekst.beskyt(hans, [observation('x')]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('BORGER.SLETTET');
    // An event without free text needs no key and is still accepted (e.g. a kvittering).
    expect(await fritekst.beskyt(hans, [{ type: 'BestillingKvitteret', data: { version: 1 } }])).toHaveLength(1);
  });

  it('holds a borger being erased: no registration and no new text until the erasure is called off or done', async () => {
    const hans = await borger('0101704321');
    expect(await vault.paabegyndSletning(hans)).toBe(true);
    await expect(vault.registrerBorger('0101704321', randomUUID)).rejects.toBeInstanceOf(SletningIGangError);
    await expect(fritekst.beskyt(hans, [observation('x')])).rejects.toBeInstanceOf(SletningIGangError);
    // Reading goes on meanwhile.
    const [h] = await new Fritekst(vault).beskyt(await borger('0202804322'), [observation('y')]);
    expect((await fritekst.afsloer(h))?.data.observation).toBe('Hanne var glad i dag');
    await vault.afbrydSletning(hans);
    expect((await vault.registrerBorger('0101704321', randomUUID)).borgerId).toBe(hans);
    expect(await fritekst.beskyt(hans, [observation('x')])).toHaveLength(1);
    expect(await vault.paabegyndSletning(hans)).toBe(true);
    await vault.slet(hans);
    // An erased or unknown borger cannot be marked.
    expect(await vault.paabegyndSletning(hans)).toBe(false);
    expect(await vault.paabegyndSletning(randomUUID())).toBe(false);
  });

  it('opens a response with one vault lookup per call, whatever the number of texts and borgere', async () => {
    const ids = await Promise.all(['0101704321', '0202804322', '0303904323'].map(borger));
    const protectedEvents = (
      await Promise.all(ids.map((id, i) => fritekst.beskyt(id, [afgivet(`B${i}`), observation('r')])))
    ).flat();
    let calls = 0;
    let items = 0;
    const counting: PiiVault = {
      ...vault,
      dekrypterMange: async (list) => {
        calls += 1;
        items += list.length;
        return vault.dekrypterMange(list);
      },
    };
    const shown = await new Fritekst(counting).afsloer(protectedEvents);
    expect(calls).toBe(1);
    // Each borger: ønsker, formål, two mål with two texts each, an observation and its refleksion.
    expect(items).toBe(3 * (2 + 2 * 2 + 2));
    expect(JSON.stringify(shown)).toContain('B2 mål 2');
  });

  it('encrypts text that looks like ciphertext again, so an input can never be opened as another text', async () => {
    const hans = await borger('0101704321');
    const grete = await borger('0202804322');
    const [g] = await fritekst.beskyt(grete, [afgivet('GRETE')]);
    const stolen = (g as ReturnType<typeof afgivet>).data.borgerensOensker;
    const [h] = await fritekst.beskyt(hans, [{ type: 'VumObservationRegistreret', data: { tekst: stolen } }]);
    const shown = await fritekst.afsloer(h);
    expect(shown?.data.tekst).toBe(stolen);
    // Nor is ciphertext inside a longer string opened (a text quoting it, a composed text): only whole values.
    const embedded = { tekst: `se ${stolen}` };
    expect(await fritekst.afsloer(embedded)).toEqual(embedded);
    // A tampered ciphertext does not open as anything: it fails loudly.
    const tampered = `${stolen.slice(0, -6)}AAAAAA`;
    await expect(fritekst.afsloer({ tekst: tampered })).rejects.toThrow();
  });
});
