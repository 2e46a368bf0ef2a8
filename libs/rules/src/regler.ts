import { plusDage, type Bygger, type Regel, type RegelInput, type Udfald } from './regel';
import { erAaben, harAabentKrav, type IndsatsmaalRegelDoc, type RegelDoc } from './regel-tilstand';

/**
 * The tilbagemeldingspligt and the reminders the domain implies (reference.md §4.1–4.2, R-35, R-36, R-41), as
 * versioned rules. Thresholds come from the kommune's configuration (konfiguration.ts `Taerskler`); the sources give
 * none, so the defaults are ours (docs/adr/0008). Every rule is pure; the worker owns time, state and dispatch.
 */

const SLUT = ['IndsatsAfsluttet', 'BestillingAnnulleret', 'BestillingAfvist'] as const;
const erSlut = (input: RegelInput): boolean => (SLUT as readonly string[]).includes(input.event.type);
const dato = (tidspunkt: string): string => tidspunkt.slice(0, 10);
const MAALTYPE_NAVN = { udvikle: 'Udvikle', fastholde: 'Fastholde', begraenseTab: 'Begrænse tab af' } as const;
const maalNavn = (m: IndsatsmaalRegelDoc): string =>
  `Indsatsmål ${m.nummer}${m.maaltype ? ` (${MAALTYPE_NAVN[m.maaltype]} funktionsevne)` : ''}`;

/** The delmål an event made inactive (their indsatsmål ended), apart from those afsluttet before. */
const lukkedeDelmaal = (foer: RegelDoc | null, efter: RegelDoc): string[] => {
  const aktive = new Set((foer?.delmaal ?? []).filter((d) => d.aktiv).map((d) => d.delmaalId));
  return efter.delmaal.filter((d) => !d.aktiv && aktive.has(d.delmaalId)).map((d) => d.delmaalId);
};

/** R-36, [004 L1066-1074]: a bestilling version the udfører has not kvitteret for: remind it, then tell the myndighed. */
const kvittering: Regel = {
  id: 'BESTILLING-KVITTERING',
  version: 2,
  titel: 'Bestilling ikke kvitteret: påmindelse til udfører, derefter eskalering til myndighed',
  reagererPaa: ['BestillingAfgivet', 'BestillingAendret', 'BestillingKvitteret', ...SLUT],
  evaluer(input, byg) {
    const { efter: doc, foer, taerskler: t } = input;
    const subjekt = (v: number) => `bestilling:${doc.bestillingId}:kvittering:v${v}`;
    const alle = (fra: number, til: number) =>
      Array.from({ length: Math.max(0, til - fra) }, (_, i) => [
        byg.annuller(`${subjekt(fra + i + 1)}:udfoerer`),
        byg.annuller(`${subjekt(fra + i + 1)}:myndighed`),
      ]).flat();
    const e = input.event;
    if (e.type === 'BestillingKvitteret') return alle(foer?.kvitteretVersion ?? 0, doc.kvitteretVersion);
    if (erSlut(input)) return alle(doc.kvitteretVersion, doc.version);
    if (!erAaben(doc)) return [];
    const emne = { version: doc.version };
    // Only the current version can be kvitteret: a new one takes over the reminders of those it supersedes.
    const afloeste = e.type === 'BestillingAendret' ? alle(doc.kvitteretVersion, doc.version - 1) : [];
    return [
      ...afloeste,
      byg.paamindelse({
        subjekt: `${subjekt(doc.version)}:udfoerer`,
        forfald: plusDage(doc.versionSendt, t.kvitteringPaamindelseDage),
        art: 'bestilling_ikke_kvitteret',
        modtager: 'udfoerer',
        alvor: 'paamindelse',
        emne,
        tekst: `Bestillingens version ${doc.version} er ikke kvitteret ${t.kvitteringPaamindelseDage} dage efter, den blev sendt.`,
      }),
      byg.paamindelse({
        subjekt: `${subjekt(doc.version)}:myndighed`,
        forfald: plusDage(doc.versionSendt, t.kvitteringEskaleringDage),
        art: 'bestilling_ikke_kvitteret',
        modtager: 'myndighed',
        alvor: 'eskalering',
        emne,
        tekst: `Udføreren har ikke kvitteret for bestillingens version ${doc.version} ${t.kvitteringEskaleringDage} dage efter, den blev sendt.`,
      }),
    ];
  },
};

/** reference.md §4.2 (a): before each indsatsmål's opfølgningsdato ask the udfører for status and remind the
 * sagsbehandler; after it, without an opfølgning, the opfølgning is overdue. */
const opfoelgning: Regel = {
  id: 'OPFOELGNING',
  version: 1,
  titel: 'Opfølgningsdato: status ønskes fra udfører og varsel til sagsbehandler D−N; overskredet uden opfølgning',
  reagererPaa: ['BestillingAfgivet', 'BestillingAendret', 'StatusSendt', 'OpfoelgningGennemfoert', ...SLUT],
  evaluer(input, byg) {
    const { efter: doc, foer, taerskler: t, event: e } = input;
    const n = t.opfoelgningVarselDage;
    const subjekter = (m: { indsatsmaalId: string; opfoelgningsdato: string }) => {
      const s = `indsatsmaal:${m.indsatsmaalId}:opfoelgning:${m.opfoelgningsdato}`;
      return { status: `${s}:status`, varsel: `${s}:varsel`, overskredet: `${s}:overskredet` };
    };
    const annullerAlle = (m: IndsatsmaalRegelDoc) => Object.values(subjekter(m)).map((s) => byg.annuller(s));
    const planlaeg = (m: IndsatsmaalRegelDoc): Udfald[] => {
      const s = subjekter(m);
      const emne = { indsatsmaalId: m.indsatsmaalId, dato: m.opfoelgningsdato };
      return [
        byg.paamindelse({
          subjekt: s.status,
          forfald: plusDage(m.opfoelgningsdato, -n),
          art: 'status_til_opfoelgning',
          modtager: 'udfoerer',
          alvor: 'paamindelse',
          emne,
          tekst: `${maalNavn(m)} følges op ${m.opfoelgningsdato}: send status på indsatsmålet inden da.`,
        }),
        byg.paamindelse({
          subjekt: s.varsel,
          forfald: plusDage(m.opfoelgningsdato, -n),
          art: 'opfoelgning_naermer_sig',
          modtager: 'myndighed',
          alvor: 'paamindelse',
          emne,
          tekst: `${maalNavn(m)} har opfølgningsdato ${m.opfoelgningsdato} (om ${n} dage).`,
        }),
        byg.paamindelse({
          subjekt: s.overskredet,
          forfald: plusDage(m.opfoelgningsdato, 1),
          art: 'opfoelgning_overskredet',
          modtager: 'myndighed',
          alvor: 'overskredet',
          emne,
          tekst: `${maalNavn(m)}: opfølgningsdatoen ${m.opfoelgningsdato} er overskredet uden opfølgning.`,
        }),
      ];
    };
    switch (e.type) {
      case 'BestillingAfgivet':
        return doc.indsatsmaal.filter((m) => m.aktiv).flatMap(planlaeg);
      case 'BestillingAendret': {
        const foerMaal = new Map((foer?.indsatsmaal ?? []).map((m) => [m.indsatsmaalId, m]));
        return doc.indsatsmaal.flatMap((m) => {
          const gammel = foerMaal.get(m.indsatsmaalId);
          const flyttet = gammel && gammel.aktiv && (!m.aktiv || gammel.opfoelgningsdato !== m.opfoelgningsdato);
          const ny = m.aktiv && (!gammel || !gammel.aktiv || flyttet);
          return [...(flyttet ? annullerAlle(gammel) : []), ...(ny ? planlaeg(m) : [])];
        });
      }
      case 'StatusSendt': {
        const besvaret = new Set(e.data.indsatsmaal.map((s) => s.indsatsmaalId));
        return doc.indsatsmaal
          .filter((m) => besvaret.has(m.indsatsmaalId) && dato(e.data.sendt) >= dato(plusDage(m.opfoelgningsdato, -n)))
          .map((m) => byg.annuller(subjekter(m).status));
      }
      case 'OpfoelgningGennemfoert':
        return doc.indsatsmaal
          .filter((m) => m.aktiv && m.opfoelgningsdatoSat <= e.data.gennemfoert)
          .flatMap(annullerAlle);
      default:
        return erSlut(input) ? doc.indsatsmaal.flatMap(annullerAlle) : [];
    }
  },
};

/** reference.md §4.2: a delmål without a delmålsobservation for N days ("Det konkrete delmål vil være afgørende for,
 * hvor hyppigt dokumentationen skal finde sted", [004 L3487-3489]: N is configuration). */
const delmaalDokumentation: Regel = {
  id: 'DELMAAL-DOKUMENTATION',
  version: 2,
  titel: 'Delmål uden delmålsobservation i N dage: påmindelse til udfører',
  reagererPaa: [
    'DelmaalOprettet',
    'DelmaalsobservationRegistreret',
    'DelmaalAfsluttet',
    'BestillingAendret',
    'IndsatsAfsluttet',
  ],
  evaluer(input, byg) {
    const { efter: doc, foer, taerskler: t, event: e } = input;
    const n = t.delmaalUdenObservationDage;
    const subjekt = (id: string) => `delmaal:${id}:dokumentation`;
    const plan = (id: string, fra: string): Udfald => {
      const d = doc.delmaal.find((x) => x.delmaalId === id);
      return byg.paamindelse({
        subjekt: subjekt(id),
        forfald: plusDage(fra, n),
        art: 'delmaal_udokumenteret',
        modtager: 'udfoerer',
        alvor: 'paamindelse',
        emne: { delmaalId: id, ...(d ? { indsatsmaalId: d.indsatsmaalId } : {}) },
        tekst: `Et delmål har ingen delmålsobservation i ${n} dage.`,
      });
    };
    switch (e.type) {
      case 'DelmaalOprettet':
        return [plan(e.data.delmaalId, e.data.oprettet)];
      case 'DelmaalsobservationRegistreret': {
        const aktiv = doc.delmaal.find((d) => d.delmaalId === e.data.delmaalId)?.aktiv ?? false;
        return [
          byg.annuller(subjekt(e.data.delmaalId)),
          ...(aktiv && erAaben(doc) ? [plan(e.data.delmaalId, e.data.registreret)] : []),
        ];
      }
      case 'DelmaalAfsluttet':
        return [byg.annuller(subjekt(e.data.delmaalId))];
      case 'BestillingAendret':
        return lukkedeDelmaal(foer, doc).map((id) => byg.annuller(subjekt(id)));
      default:
        return doc.delmaal.map((d) => byg.annuller(subjekt(d.delmaalId)));
    }
  },
};

/** R-41 (Bosted): a delmål past its evalueringsdato without an evaluering shows yellow; past its slutdato, red. */
const delmaalFrister: Regel = {
  id: 'DELMAAL-FRISTER',
  version: 2,
  titel: 'Delmål over evalueringsdato uden evaluering (gul) eller over slutdato uden afslutning (rød)',
  reagererPaa: ['DelmaalOprettet', 'DelmaalEvalueret', 'DelmaalAfsluttet', 'BestillingAendret', 'IndsatsAfsluttet'],
  evaluer(input, byg) {
    const { efter: doc, foer, event: e } = input;
    const s = (id: string) => ({ evaluering: `delmaal:${id}:evaluering`, slutdato: `delmaal:${id}:slutdato` });
    switch (e.type) {
      case 'DelmaalOprettet': {
        const d = e.data;
        const emne = { delmaalId: d.delmaalId, indsatsmaalId: d.indsatsmaalId };
        return [
          ...(d.evalueringsdato === null
            ? []
            : [
                byg.paamindelse({
                  subjekt: s(d.delmaalId).evaluering,
                  forfald: plusDage(d.evalueringsdato, 1),
                  art: 'delmaal_evaluering_overskredet',
                  modtager: 'udfoerer',
                  alvor: 'overskredet',
                  emne: { ...emne, dato: d.evalueringsdato },
                  tekst: `Et delmål skulle være evalueret ${d.evalueringsdato}.`,
                }),
              ]),
          byg.paamindelse({
            subjekt: s(d.delmaalId).slutdato,
            forfald: plusDage(d.slutdato, 1),
            art: 'delmaal_slutdato_overskredet',
            modtager: 'udfoerer',
            alvor: 'overskredet',
            emne: { ...emne, dato: d.slutdato },
            tekst: `Et delmål havde slutdato ${d.slutdato} og er ikke afsluttet.`,
          }),
        ];
      }
      case 'DelmaalEvalueret':
        return [byg.annuller(s(e.data.delmaalId).evaluering)];
      case 'DelmaalAfsluttet':
        return Object.values(s(e.data.delmaalId)).map((x) => byg.annuller(x));
      case 'BestillingAendret':
        // Its indsatsmål ended: it can no longer be evaluated (R-20); the slutdato reminder stays, to afslutte it.
        return lukkedeDelmaal(foer, doc).map((id) => byg.annuller(s(id).evaluering));
      default:
        return doc.delmaal.flatMap((d) => Object.values(s(d.delmaalId)).map((x) => byg.annuller(x)));
    }
  },
};

/** A tilbagemelding the myndighed has not kvitteret for after N days: escalated to the myndighed. */
const tilbagemeldingKvittering: Regel = {
  id: 'TILBAGEMELDING-KVITTERING',
  version: 1,
  titel: 'Tilbagemelding ikke kvitteret af myndigheden i N dage: eskalering',
  reagererPaa: ['TilbagemeldingSendt', 'TilbagemeldingKvitteret'],
  evaluer(input, byg) {
    const { taerskler: t, event: e } = input;
    if (e.type === 'TilbagemeldingKvitteret') return [byg.annuller(`tilbagemelding:${e.data.tilbagemeldingId}`)];
    if (e.type !== 'TilbagemeldingSendt') return [];
    return [
      byg.paamindelse({
        subjekt: `tilbagemelding:${e.data.tilbagemeldingId}`,
        forfald: plusDage(e.data.sendt, t.tilbagemeldingKvitteringDage),
        art: 'tilbagemelding_ikke_kvitteret',
        modtager: 'myndighed',
        alvor: 'eskalering',
        emne: {
          tilbagemeldingId: e.data.tilbagemeldingId,
          ...(e.data.indsatsmaalId ? { indsatsmaalId: e.data.indsatsmaalId } : {}),
          ...(e.data.opfylderKravId ? { kravId: e.data.opfylderKravId } : {}),
        },
        tekst: `En tilbagemelding (${e.data.trigger}) fra udføreren er ikke kvitteret ${t.tilbagemeldingKvitteringDage} dage efter, den blev sendt.`,
      }),
    ];
  },
};

/** T1 "borgeren ikke tager imod den bevilget indsats": recorded explicitly, or no documentation N days after start. */
const t1: Regel = {
  id: 'T1-TAGER-IKKE-IMOD',
  version: 2,
  titel:
    'T1: borgeren tager ikke imod indsatsen (registreret, eller ingen dokumentation N dage efter start): tilbagemelding påkrævet',
  reagererPaa: ['BestillingAccepteret', 'VumObservationRegistreret', 'DelmaalsobservationRegistreret', ...SLUT],
  evaluer(input, byg) {
    const { efter: doc, foer, taerskler: t, event: e } = input;
    const udokumenteret = `bestilling:${doc.bestillingId}:t1:udokumenteret`;
    const ud: Udfald[] = [];
    if (e.type === 'BestillingAccepteret' && doc.startdato && !doc.dokumenteret) {
      ud.push(
        byg.kravVedFrist({
          subjekt: udokumenteret,
          forfald: plusDage(doc.startdato, t.t1DageUdenDokumentation),
          trigger: 'T1',
          niveau: 'paakraevet',
          begrundelse: `Ingen dokumentation (delmålsobservation eller VUM-observation) ${t.t1DageUdenDokumentation} dage efter indsatsens start ${doc.startdato}.`,
          fra: doc.startdato,
        }),
      );
    }
    if ((e.type === 'VumObservationRegistreret' || e.type === 'DelmaalsobservationRegistreret') && !foer?.dokumenteret)
      ud.push(byg.annuller(udokumenteret));
    if (erSlut(input)) ud.push(byg.annuller(udokumenteret));
    if (
      e.type === 'VumObservationRegistreret' &&
      e.data.borgerTagerIkkeImod === true &&
      erAaben(doc) &&
      !harAabentKrav(doc, 'T1', null)
    ) {
      ud.push(
        byg.krav({
          subjekt: `bestilling:${doc.bestillingId}:t1`,
          trigger: 'T1',
          niveau: 'paakraevet',
          begrundelse: 'En VUM-observation registrerer, at borgeren ikke tager imod indsatsen.',
          fra: dato(e.data.registreret),
        }),
      );
    }
    return ud;
  },
};

/**
 * T2 "ikke udvikler … bevarer … begrænser tab … i henhold til de indsatsmål": the three verbs are the three måltyper
 * (reference.md §4.1). Udvikle: K evalueringer in a row without fremgang, or scores that worsen; Fastholde: a
 * tilbagegang, or scores that worsen; Begrænse tab: K evalueringer in a row with tilbagegang, or a funktionsevneniveau
 * at opfølgning worse than the forventet one. Støttebehov scores run 0–4, higher is more support: a worsening is a
 * window of W scores that never falls and ends higher than it began.
 */
const t2: Regel = {
  id: 'T2-MAALTYPE',
  version: 2,
  titel: 'T2: ingen udvikling, fastholdelse eller begrænset tab som måltypen forventer: tilbagemelding påkrævet',
  reagererPaa: ['DelmaalEvalueret', 'DelmaalsobservationRegistreret', 'OpfoelgningGennemfoert'],
  evaluer(input, byg) {
    const { efter: doc, taerskler: t, event: e, katalog } = input;
    if (doc.fase !== 'accepteret') return [];
    // One open T2 krav per indsatsmål: what happens while it is open, it covers.
    const krav = (m: IndsatsmaalRegelDoc, grund: string, fra: string): Udfald[] =>
      harAabentKrav(doc, 'T2', m.indsatsmaalId)
        ? []
        : [
            byg.krav({
              subjekt: `indsatsmaal:${m.indsatsmaalId}:t2`,
              trigger: 'T2',
              niveau: 'paakraevet',
              indsatsmaalId: m.indsatsmaalId,
              begrundelse: `${maalNavn(m)}: ${grund}`,
              fra,
            }),
          ];
    const maalAf = (delmaalId: string) => {
      const d = doc.delmaal.find((x) => x.delmaalId === delmaalId);
      const m = d && doc.indsatsmaal.find((x) => x.indsatsmaalId === d.indsatsmaalId && x.aktiv);
      return d && m ? { d, m } : undefined;
    };
    if (e.type === 'DelmaalEvalueret') {
      const found = maalAf(e.data.delmaalId);
      if (!found) return [];
      const { m } = found;
      const k = t.t2EvalueringerUdenFremgang;
      const kt = t.t2EvalueringerMedTilbagegang;
      const seneste = m.udviklingSidenKrav.slice(-k);
      const tab = m.udviklingSidenKrav.slice(-kt);
      const fra = dato(e.data.evalueret);
      if (m.maaltype === 'udvikle' && seneste.length >= k && seneste.every((u) => u !== 'fremgang'))
        return krav(m, `${k} evalueringer i træk uden fremgang.`, fra);
      if (m.maaltype === 'fastholde' && e.data.udvikling === 'tilbagegang')
        return krav(m, 'en evaluering konkluderer tilbagegang, hvor funktionsevnen skulle fastholdes.', fra);
      if (m.maaltype === 'begraenseTab' && tab.length >= kt && tab.every((u) => u === 'tilbagegang'))
        return krav(m, `${kt} evalueringer i træk med tilbagegang: tabet er større end forventet.`, fra);
      return [];
    }
    if (e.type === 'DelmaalsobservationRegistreret') {
      if (e.data.score === null) return [];
      const found = maalAf(e.data.delmaalId);
      if (!found || (found.m.maaltype !== 'udvikle' && found.m.maaltype !== 'fastholde')) return [];
      const w = t.t2ScoreVindue;
      const vindue = found.d.scoresSidenKrav.slice(-w);
      const forvaerret =
        vindue.length >= w &&
        vindue.every((s, i) => i === 0 || s >= (vindue[i - 1] as number)) &&
        (vindue[vindue.length - 1] as number) > (vindue[0] as number);
      return forvaerret
        ? krav(
            found.m,
            `støttebehovet i et delmål er steget over de seneste ${w} scorer (${vindue.join(' → ')}).`,
            dato(e.data.registreret),
          )
        : [];
    }
    if (e.type === 'OpfoelgningGennemfoert') {
      // Fastholde expects the level kept (forventet = aktuelt); Begrænse tab a loss no larger than the forventet level.
      const niveau = new Map(e.data.funktionsevne.map((f) => [f.undertema.code, f.funktionsevneniveau.code]));
      return doc.indsatsmaal.flatMap((m) => {
        if (!m.aktiv || m.forventetNiveau === null) return [];
        if (m.maaltype !== 'begraenseTab' && m.maaltype !== 'fastholde') return [];
        const kode = niveau.get(m.undertema);
        const faktisk = kode === undefined ? undefined : katalog.funktionsevneniveau(kode);
        if (faktisk === undefined || faktisk === null || faktisk <= m.forventetNiveau) return [];
        return krav(
          m,
          `funktionsevneniveauet ved opfølgningen (${faktisk}) er lavere end det forventede (${m.forventetNiveau}).`,
          dato(e.data.gennemfoert),
        );
      });
    }
    return [];
  },
};

/** T3 "Borgers situation ændrer sig, så det påvirker indsatsen": a VUM-observation flagged so, or on an undertema no
 * active indsatsmål covers ([001 L2305-2312]: "andre relevante indsatsområder"). The hub recommends a tilbagemelding;
 * one open recommendation at a time, and it lapses at its frist (KRAV-BORTFALD) so the next observation can raise one. */
const t3: Regel = {
  id: 'T3-SITUATION-AENDRET',
  version: 2,
  titel: 'T3: borgerens situation ændrer sig, så det påvirker indsatsen: tilbagemelding anbefalet',
  reagererPaa: ['VumObservationRegistreret'],
  evaluer(input, byg) {
    const { efter: doc, event: e } = input;
    if (e.type !== 'VumObservationRegistreret' || !erAaben(doc) || harAabentKrav(doc, 'T3', null)) return [];
    const daekket = new Set(
      doc.indsatsmaal.filter((m) => m.aktiv).flatMap((m) => [m.undertema, ...m.relateredeUndertemaer]),
    );
    const udenfor = e.data.undertemaer.filter((u) => !daekket.has(u.code));
    const grunde = [
      ...(e.data.paavirkerIndsatsen ? ['observationen er markeret som påvirkende indsatsen'] : []),
      ...(udenfor.length > 0
        ? [
            `observationen er tagget med ${udenfor.map((u) => u.display).join(', ')}, som intet aktivt indsatsmål dækker`,
          ]
        : []),
    ];
    if (grunde.length === 0) return [];
    return [
      byg.krav({
        subjekt: `bestilling:${doc.bestillingId}:t3`,
        trigger: 'T3',
        niveau: 'anbefalet',
        begrundelse: `En VUM-observation: ${grunde.join('; ')}.`,
        fra: dato(e.data.registreret),
      }),
    ];
  },
};

/**
 * A krav nothing can meet any more lapses: the indsats ended, annulled or afvist, or its indsatsmål ended. A
 * recommendation (T3, anbefalet) lapses the day after its frist if the udfører did not answer it.
 */
const kravBortfald: Regel = {
  id: 'KRAV-BORTFALD',
  version: 1,
  titel: 'Tilbagemeldingskrav bortfalder, når indsatsen eller indsatsmålet afsluttes, og en anbefaling efter sin frist',
  reagererPaa: [
    'BestillingAendret',
    'TilbagemeldingKraevet',
    'TilbagemeldingSendt',
    'TilbagemeldingskravOpfyldt',
    ...SLUT,
  ],
  evaluer(input, byg) {
    const { efter: doc, event: e } = input;
    const anbefaling = (kravId: string) => `krav:${kravId}:anbefaling`;
    if (erSlut(input)) return doc.krav.filter((k) => k.aaben).map((k) => byg.bortfald(k.kravId, 'indsats_afsluttet'));
    if (e.type === 'BestillingAendret') {
      const ended = new Set(e.data.afsluttedeIndsatsmaal);
      return doc.krav
        .filter((k) => k.aaben && k.indsatsmaalId !== null && ended.has(k.indsatsmaalId))
        .map((k) => byg.bortfald(k.kravId, 'indsatsmaal_afsluttet'));
    }
    if (e.type === 'TilbagemeldingKraevet' && e.data.niveau === 'anbefalet' && erAaben(doc))
      return [
        byg.bortfald(e.data.kravId, 'anbefaling_udloebet', {
          subjekt: anbefaling(e.data.kravId),
          forfald: plusDage(e.data.frist, 1),
        }),
      ];
    if (e.type === 'TilbagemeldingSendt' && e.data.opfylderKravId !== null)
      return [byg.annuller(anbefaling(e.data.opfylderKravId))];
    if (e.type === 'TilbagemeldingskravOpfyldt') return [byg.annuller(anbefaling(e.data.kravId))];
    return [];
  },
};

/** A required tilbagemelding is met when the udfører sends one that references it (Q-A11: compliance is counted). */
const kravOpfyldt: Regel = {
  id: 'KRAV-OPFYLDT',
  version: 1,
  titel: 'Tilbagemeldingskrav opfyldt af en tilbagemelding, der henviser til det',
  reagererPaa: ['TilbagemeldingSendt'],
  evaluer(input, byg) {
    const e = input.event;
    if (e.type !== 'TilbagemeldingSendt' || e.data.opfylderKravId === null) return [];
    return [byg.kravOpfyldt(e.data.opfylderKravId, e.data.tilbagemeldingId)];
  },
};

/** A required tilbagemelding not sent by its frist: overdue for the udfører, escalated to the myndighed. */
const kravFrist: Regel = {
  id: 'KRAV-FRIST',
  version: 2,
  titel: 'Påkrævet tilbagemelding ikke sendt inden fristen: overskredet for udfører, eskalering til myndighed',
  reagererPaa: [
    'TilbagemeldingKraevet',
    'TilbagemeldingSendt',
    'TilbagemeldingskravOpfyldt',
    'TilbagemeldingskravBortfaldet',
    ...SLUT,
  ],
  evaluer(input, byg) {
    const { efter: doc, event: e } = input;
    const subjekter = (kravId: string) => [`krav:${kravId}:udfoerer`, `krav:${kravId}:myndighed`];
    if (e.type === 'TilbagemeldingSendt')
      return e.data.opfylderKravId === null ? [] : subjekter(e.data.opfylderKravId).map((s) => byg.annuller(s));
    if (e.type === 'TilbagemeldingskravOpfyldt' || e.type === 'TilbagemeldingskravBortfaldet')
      return subjekter(e.data.kravId).map((s) => byg.annuller(s));
    if (erSlut(input))
      return doc.krav.filter((k) => k.aaben).flatMap((k) => subjekter(k.kravId).map((s) => byg.annuller(s)));
    if (e.type !== 'TilbagemeldingKraevet' || e.data.niveau !== 'paakraevet' || !erAaben(doc)) return [];
    const d = e.data;
    const [udfoerer, myndighed] = subjekter(d.kravId) as [string, string];
    const forfald = plusDage(d.frist, 1);
    const emne = {
      kravId: d.kravId,
      dato: d.frist,
      ...(d.indsatsmaalId ? { indsatsmaalId: d.indsatsmaalId } : {}),
      ...(d.delmaalId ? { delmaalId: d.delmaalId } : {}),
    };
    return [
      byg.paamindelse({
        subjekt: udfoerer,
        forfald,
        art: 'tilbagemeldingskrav_overskredet',
        modtager: 'udfoerer',
        alvor: 'overskredet',
        emne,
        tekst: `Den påkrævede tilbagemelding (${d.trigger}) skulle være sendt senest ${d.frist}.`,
      }),
      byg.paamindelse({
        subjekt: myndighed,
        forfald,
        art: 'tilbagemeldingskrav_overskredet',
        modtager: 'myndighed',
        alvor: 'eskalering',
        emne,
        tekst: `Udføreren har ikke sendt den påkrævede tilbagemelding (${d.trigger}) inden fristen ${d.frist}.`,
      }),
    ];
  },
};

/** Every rule in force. Order matters only for the order of their outputs within one event. */
export const REGLER: readonly Regel[] = [
  kvittering,
  opfoelgning,
  delmaalDokumentation,
  delmaalFrister,
  tilbagemeldingKvittering,
  t1,
  t2,
  t3,
  kravOpfyldt,
  kravFrist,
  kravBortfald,
];

export type { Bygger };
