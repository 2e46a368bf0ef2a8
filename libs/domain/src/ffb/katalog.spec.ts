import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKatalog, ffbKatalog, type CodeSystemData } from './katalog';

interface RawConcept {
  code: string;
  display: string;
  concept?: RawConcept[];
}

/** Reads KL's data file on its own, independently of the catalog's loader. */
const raw = JSON.parse(readFileSync(join(__dirname, 'data', 'CodeSystem-FFB.json'), 'utf8')) as {
  url: string;
  version: string;
  concept: RawConcept[];
};
const flat: RawConcept[] = [];
const walk = (cs: RawConcept[]) => cs.forEach((c) => (flat.push(c), walk(c.concept ?? [])));
walk(raw.concept);
const byDisplay = (display: string, under?: RawConcept) => {
  const pool: RawConcept[] = [];
  const collect = (cs: RawConcept[]) => cs.forEach((c) => (pool.push(c), collect(c.concept ?? [])));
  collect(under ? (under.concept ?? []) : raw.concept);
  const found = pool.filter((c) => c.display === display);
  if (found.length !== 1) throw new Error(`${display}: ${found.length} matches`);
  return found[0] as RawConcept;
};

describe('FFB catalog', () => {
  it('records the canonical URL and version of the KL CodeSystem', () => {
    expect(ffbKatalog.url).toBe('urn:oid:1.2.208.176.2.22');
    expect(ffbKatalog.version).toBe(raw.version);
  });

  it('holds every code of the KL file, with its display, and nothing else', () => {
    expect(flat.length).toBe(220);
    expect(ffbKatalog.all().map((k) => [k.code, k.display])).toEqual(flat.map((c) => [c.code, c.display]));
    for (const c of flat)
      expect(ffbKatalog.kode(c.code)).toEqual({ code: c.code, display: c.display, version: raw.version });
  });

  it('holds all 67 VUM 2.0 undertemaer: 33 Funktioner og forhold, 3 Omgivelsesfaktorer, 31 Aktivitet og deltagelse', () => {
    const tilstande = byDisplay('FFB tilstande');
    const expected = (tilstande.concept ?? []).flatMap((kategori) =>
      (kategori.concept ?? []).flatMap((overtema) => (overtema.concept ?? []).map((u) => u.code)),
    );
    expect(expected).toHaveLength(67);
    expect(
      ffbKatalog
        .undertemaer()
        .map((u) => u.code)
        .sort(),
    ).toEqual([...expected].sort());
    const count = (k: string) => ffbKatalog.undertemaer().filter((u) => u.kategori === k).length;
    expect([count('funktionerOgForhold'), count('omgivelsesfaktorer'), count('aktivitetOgDeltagelse')]).toEqual([
      33, 3, 31,
    ]);
  });

  it.each([
    ['Fysiske funktioner', 5],
    ['Mentale funktioner', 12],
    ['Sociale forhold', 8],
    ['Sundhedsforhold', 8],
    ['Omgivelser', 3],
    ['Egenomsorg', 9],
    ['Mobilitet', 4],
    ['Praktiske opgaver', 6],
    ['Kommunikation', 4],
    ['Relationer', 3],
    ['Samfundsliv', 5],
  ])('overtema %s has %i undertemaer (reference.md §3.1)', (overtema, n) => {
    expect(ffbKatalog.undertemaer().filter((u) => u.overtema.display === overtema)).toHaveLength(n);
  });

  it('places an undertema under its overtema and kategori', () => {
    const samspil = byDisplay('Indgå i samspil og kontakt');
    expect(ffbKatalog.undertema(samspil.code)).toEqual({
      code: samspil.code,
      display: 'Indgå i samspil og kontakt',
      overtema: { code: byDisplay('Relationer').code, display: 'Relationer' },
      kategori: 'aktivitetOgDeltagelse',
    });
  });

  it.each([
    ['ydelse', 'Socialpædagogisk støtte', true],
    ['ydelse', 'Ydelse', false],
    ['ydelse', 'Mobilt tilbud', false],
    ['tilbud', 'Midlertidigt botilbud til voksne', true],
    ['botilbud', 'Midlertidigt botilbud til voksne', true],
    ['botilbud', 'Almen ældre- og handicapvenlig bolig', false],
    ['ophold', 'Midlertidigt ophold', true],
    ['maalgruppe', 'Autismespektrum', true],
    ['maalgruppe', 'Socialt problem', true],
  ] as const)('iGren(%s) of %s is %s', (gren, display, expected) => {
    expect(ffbKatalog.iGren(byDisplay(display).code, gren)).toBe(expected);
  });

  it('knows the ordinals of funktionsevneniveau and støttebehov, and the måltyper and statuses by code', () => {
    const niveau = byDisplay('Funktionsevneniveau');
    const ordinals = (niveau.concept ?? []).map((c) => [c.display, ffbKatalog.funktionsevneniveau(c.code)]);
    expect(Object.fromEntries(ordinals)).toEqual({
      'Ikke vurderet': null,
      'Ingen nedsat funktionsevne': 0,
      'Let nedsat funktionsevne': 1,
      'Moderat nedsat funktionsevne': 2,
      'Svært nedsat funktionsevne': 3,
      'Fuldstændig nedsat funktionsevne': 4,
    });
    const stoette = byDisplay('Støttebehovsniveau');
    expect(
      Object.fromEntries((stoette.concept ?? []).map((c) => [c.display, ffbKatalog.stoettebehov(c.code)])),
    ).toEqual({
      'Ikke vurderet': null,
      'Intet støttebehov': 0,
      'Let støttebehov': 1,
      'Moderat støttebehov': 2,
      'Højt støttebehov': 3,
      'Fuldstændigt støttebehov': 4,
    });
    expect(ffbKatalog.maaltype(byDisplay('Begrænse tab af funktionsevne').code)).toBe('begraenseTab');
    expect(ffbKatalog.statusPaaIndsats(byDisplay('Træf afgørelse om afslutning af indsats').code)).toBe('afslutning');
  });

  it('a new CodeSystem version is data: a version without a supplement block is refused, not guessed', () => {
    expect(() => createKatalog({ ...(raw as CodeSystemData), version: '20990101' })).toThrow(
      /No FFB supplement for CodeSystem version 20990101/,
    );
  });
});
