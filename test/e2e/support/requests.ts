import { FFB, kode } from '@hub/domain/testing/fixtures';

/** Request bodies in the API's own shape (what a fagsystem sends), built from real FFB codes. */
export const indsatsmaal = (overrides: Record<string, unknown> = {}) => ({
  maalformulering: 'Jeg vil gerne kunne møde mine venner i byen igen.',
  maaltype: FFB.udvikle,
  undertema: FFB.indgaaISamspil,
  aktueltFunktionsevneniveau: FFB.niveau2,
  forventetFunktionsevneniveau: FFB.niveau1,
  opfoelgningsdato: '2026-09-01',
  ansvarligForOpfoelgning: 'Social service i Københavns Kommune',
  relateredeUndertemaer: [FFB.varetageRelationer],
  ...overrides,
});

export const bestilling = (overrides: Record<string, unknown> = {}) => ({
  cpr: '0101704321',
  kommunekode: '0101',
  tilbudId: 'tilbud-4711',
  tilbudstype: kode(FFB.mobiltTilbud),
  lovgrundlag: ['SEL-85'],
  ydelser: [{ ydelse: kode(FFB.stoetteTilSocialeRelationer), startdato: '2026-03-15', slutdato: '2027-03-14' }],
  primaerMaalgruppe: kode(FFB.autismespektrum),
  oevrigeMaalgrupper: [kode(FFB.angst)],
  stoettebehov: FFB.moderatStoettebehov,
  borgerensOensker: 'Jeg vil gerne undgå, at angsten styrer mit liv.',
  indsatsformaal: 'Borgeren opnår at kunne indgå i sociale fællesskaber.',
  indsatsmaal: [
    indsatsmaal(),
    indsatsmaal({
      maalformulering: 'Jeg vil kunne lave mad selv tre dage om ugen.',
      undertema: kode(FFB.lavemad),
      relateredeUndertemaer: [kode(FFB.koebeInd)],
    }),
  ],
  ...overrides,
});

export const delmaal = (indsatsmaalId: string, overrides: Record<string, unknown> = {}) => ({
  indsatsmaalId,
  navn: 'Deltage i fællesspisning en gang om ugen',
  delmaalsplan: {
    formaal: 'At borgeren øver kontakt i en tryg ramme.',
    borgerensMotivation: 'Vil gerne have venner.',
    ressourcerOgUdfordringer: 'God humor; angst i større grupper.',
    borgerensIndsats: 'Møder op torsdage.',
    medarbejdernesIndsatsOgMetode: 'Kontaktperson følger; low arousal.',
  },
  startdato: '2026-03-20',
  evalueringsdato: '2026-06-01',
  slutdato: '2026-08-31',
  ansvarlig: 'Team Nord',
  ...overrides,
});

export const opfoelgning = (overrides: Record<string, unknown> = {}) => ({
  funktionsevne: [
    { undertema: FFB.indgaaISamspil, funktionsevneniveau: FFB.niveau1 },
    { undertema: kode(FFB.lavemad), funktionsevneniveau: FFB.niveau2 },
  ],
  borgerensVurdering: 'Det går bedre.',
  udfoerersVurdering: 'Stabil fremgang.',
  sagsbehandlersVurdering: 'Indsatsen fortsætter.',
  stoettebehov: FFB.letStoettebehov,
  statusPaaIndsats: FFB.fortsaettelse,
  ...overrides,
});

export const vumObservation = (overrides: Record<string, unknown> = {}) => ({
  tekst: 'Borgeren har holdt sig på værelset hele weekenden.',
  undertemaer: [kode(FFB.hukommelse), FFB.indgaaISamspil],
  paavirkerIndsatsen: true,
  observeret: '2026-01-10T20:00:00+01:00',
  ...overrides,
});
