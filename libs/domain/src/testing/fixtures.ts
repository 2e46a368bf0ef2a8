import type { AfgivBestilling, IndsatsmaalInput } from '../bestilling/bestilling.commands';
import type { OpretDelmaal } from '../delmaal/delmaal.events';
import { ffbKatalog } from '../ffb/katalog';
import type { DecisionContext } from '../shared/decider';
import { STANDARD_REGLER, type Regelkonfiguration } from '../konfiguration';

/** FFB codes (CodeSystem 20240530) used in tests, named by their display text. */
export const FFB = {
  indgaaISamspil: '3f9da5ac-9686-4eeb-b517-b46e17fcb1d7',
  varetageRelationer: '4c082610-b122-4019-96f2-1061e287445e',
  deltageIFaellesskaber: 'dcc6bb77-45af-4625-9c4d-7d7878307220',
  lavemad: 'b947f321',
  koebeInd: '01770afa',
  hukommelse: '61452fe5',
  boligomraade: '83342ff3',
  relationerOvertema: '3856b434',
  udvikle: 'd41c8072-52f8-42b5-9375-ddbea454d27f',
  fastholde: '10752a63-00b4-4958-b7f4-9f3a18f74266',
  niveau1: '8328ce4a-6238-4f73-bf1a-74aadb68eff8',
  niveau2: '5bdde847-2837-416b-ab63-bbff8b7aa531',
  niveauIkkeVurderet: '1c327095-107f-4b96-88d0-ec562cb980be',
  moderatStoettebehov: '401a397b-b3aa-4ca3-8b23-bd8f99dd3f76',
  letStoettebehov: 'dd628e73-d6c9-4837-a2b8-aa62d73bd6ae',
  fortsaettelse: '1e971d84-10a4-4ef8-a8b3-0daa4c7d088a',
  socialpaedagogiskStoette: '1f0ff82b',
  stoetteTilSocialeRelationer: '05cd5e81',
  midlertidigtOphold: '80aa8ea7',
  midlertidigtBotilbud: '25de7444',
  mobiltTilbud: 'd90f4da6',
  autismespektrum: '9b3fd322',
  angst: '303deb9b',
} as const;

/** Resolves the 8-character prefixes above to full codes, so a typo fails loudly instead of testing nothing. */
export function kode(prefixOrCode: string): string {
  const matches = ffbKatalog.all().filter((k) => k.code.startsWith(prefixOrCode));
  if (matches.length !== 1) throw new Error(`fixture code ${prefixOrCode} matches ${matches.length} FFB codes`);
  return (matches[0] as { code: string }).code;
}

export function ctx(
  overrides: Partial<Omit<DecisionContext, 'regler'>> & { regler?: Partial<Regelkonfiguration> } = {},
): DecisionContext {
  return {
    now: overrides.now ?? '2026-03-01T09:00:00.000Z',
    katalog: overrides.katalog ?? ffbKatalog,
    regler: { ...STANDARD_REGLER, ...overrides.regler },
  };
}

export const IDS = {
  bestilling: '0b8f7a52-7c61-4d0e-9a3c-1f3c6b1d2e01',
  borger: '6a1e2f0c-3b4d-4e5f-8a9b-0c1d2e3f4a01',
  maal1: '11111111-1111-4111-8111-111111111111',
  maal2: '22222222-2222-4222-8222-222222222222',
  maal3: '33333333-3333-4333-8333-333333333333',
  ydelse1: '44444444-4444-4444-8444-444444444444',
  ydelse2: '55555555-5555-4555-8555-555555555555',
  delmaal1: '66666666-6666-4666-8666-666666666666',
  delmaal2: '77777777-7777-4777-8777-777777777777',
  observation1: '88888888-8888-4888-8888-888888888888',
  observation2: '99999999-9999-4999-8999-999999999999',
  status: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  tilbagemelding: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  opfoelgning: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
  evaluering: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
  krav: 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee',
} as const;

export function indsatsmaalInput(overrides: Partial<IndsatsmaalInput> = {}): IndsatsmaalInput {
  return {
    indsatsmaalId: IDS.maal1,
    maalformulering: 'Jeg vil gerne kunne møde mine venner i byen igen.',
    maaltype: FFB.udvikle,
    undertema: FFB.indgaaISamspil,
    aktueltFunktionsevneniveau: FFB.niveau2,
    forventetFunktionsevneniveau: FFB.niveau1,
    opfoelgningsdato: '2026-09-01',
    ansvarligForOpfoelgning: 'Social service i Københavns Kommune',
    relateredeUndertemaer: [FFB.varetageRelationer],
    ...overrides,
  };
}

export function afgivBestilling(overrides: Partial<AfgivBestilling['data']> = {}): AfgivBestilling {
  return {
    type: 'AfgivBestilling',
    data: {
      bestillingId: IDS.bestilling,
      borgerId: IDS.borger,
      kommunekode: '0101',
      tilbudId: 'tilbud-4711',
      tilbudstype: kode(FFB.mobiltTilbud),
      lovgrundlag: ['SEL-85'],
      ydelser: [
        {
          ydelseLinjeId: IDS.ydelse1,
          ydelse: kode(FFB.stoetteTilSocialeRelationer),
          startdato: '2026-03-15',
          slutdato: '2027-03-14',
        },
      ],
      primaerMaalgruppe: kode(FFB.autismespektrum),
      oevrigeMaalgrupper: [kode(FFB.angst)],
      stoettebehov: FFB.moderatStoettebehov,
      borgerensOensker: 'Jeg vil gerne undgå, at angsten styrer mit liv.',
      indsatsformaal: 'Borgeren opnår at kunne indgå i sociale fællesskaber.',
      indsatsmaal: [
        indsatsmaalInput(),
        indsatsmaalInput({
          indsatsmaalId: IDS.maal2,
          maalformulering: 'Jeg vil kunne lave mad selv tre dage om ugen.',
          undertema: kode(FFB.lavemad),
          relateredeUndertemaer: [kode(FFB.koebeInd)],
        }),
      ],
      ...overrides,
    },
  };
}

export function opretDelmaal(overrides: Partial<OpretDelmaal['data']> = {}): OpretDelmaal {
  return {
    type: 'OpretDelmaal',
    data: {
      delmaalId: IDS.delmaal1,
      bestillingId: IDS.bestilling,
      indsatsmaalId: IDS.maal1,
      navn: 'Delmål 1.1: deltage i fællesspisning en gang om ugen',
      delmaalsplan: {
        formaal: 'At borgeren øver kontakt i en tryg ramme.',
        borgerensMotivation: 'Vil gerne have venner.',
        ressourcerOgUdfordringer: 'God humor; angst i større grupper.',
        borgerensIndsats: 'Møder op torsdage.',
        medarbejdernesIndsatsOgMetode: 'Følges af kontaktperson; low arousal.',
      },
      startdato: '2026-03-20',
      evalueringsdato: '2026-06-01',
      slutdato: '2026-08-31',
      ansvarlig: 'Kontaktperson team Nord',
      ...overrides,
    },
  };
}
