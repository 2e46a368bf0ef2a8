import type { Kode } from '../ffb/katalog';
import type { DecisionContext } from '../shared/decider';
import { DomainError, Fejlkode, notFound, stateError } from '../shared/errors';
import { Validering } from '../shared/validering';
import type {
  AendrBestilling,
  AfgivBestilling,
  AfslutIndsats,
  BestillingCommand,
  GennemfoerOpfoelgning,
  IndsatsmaalInput,
  KvitterTilbagemelding,
  RegistrerVumObservation,
  SendStatus,
  SendTilbagemelding,
  YdelseInput,
} from './bestilling.commands';
import {
  LOVGRUNDLAG,
  MAX_OBSERVATIONER_PR_TILBAGEMELDING,
  TILBAGEMELDING_TRIGGERE,
  type BestillingEvent,
  type FunktionsevneVurdering,
  type Indsatsmaal,
  type ObservationReference,
  type YdelseLinje,
} from './bestilling.events';
import { aktiveIndsatsmaal, type BestillingFindes, type BestillingState } from './bestilling.state';
import { advarsler, enKode, validerIndsatsmaal, validerYdelse } from './indsatsmaal.validering';

export { evolve, initialState } from './bestilling.state';

/** What the bestilling decider may look up outside its stream: delmål that tilbagemeldinger reference. */
export interface BestillingOpslag {
  readonly delmaal: ReadonlyMap<string, { readonly bestillingId: string; readonly observationer: readonly string[] }>;
  /** The open tilbagemeldingskrav the hub's rules recorded for this bestilling (its tilbagemeldingspligt stream). */
  readonly krav?: ReadonlyMap<string, { readonly bestillingId: string; readonly trigger: string }>;
}

const INGEN_OPSLAG: BestillingOpslag = { delmaal: new Map() };

export const toBestillingStreamId = (bestillingId: string): string => `bestilling-${bestillingId}`;

/** Pure: returns the events a command produces, or throws a DomainError that names every violated rule. */
export function decide(
  command: BestillingCommand,
  state: BestillingState,
  ctx: DecisionContext,
  opslag: BestillingOpslag = INGEN_OPSLAG,
): BestillingEvent[] {
  if (command.type === 'AfgivBestilling') return afgiv(command, state, ctx);
  if (state.fase === 'ingen') {
    throw notFound(
      Fejlkode.bestillingFindesIkke,
      `bestilling ${command.data.bestillingId} does not exist`,
      'bestillingId',
    );
  }
  switch (command.type) {
    case 'AendrBestilling':
      return aendr(command, kraevIkkeAfsluttet(state), ctx);
    case 'AnnullerBestilling': {
      kraevAfventerSvar(state);
      const v = new Validering(ctx.katalog);
      const begrundelse = v.tekst('begrundelse', command.data.begrundelse);
      v.throwIfAny();
      return [
        {
          type: 'BestillingAnnulleret',
          data: { bestillingId: state.bestillingId, annulleret: ctx.now, begrundelse: begrundelse as string },
        },
      ];
    }
    case 'KvitterBestilling': {
      kraevIkkeAfsluttet(state);
      if (command.data.version !== state.version) {
        throw new DomainError('invalid', [
          {
            code: Fejlkode.ugyldigVaerdi,
            field: 'version',
            message: `the bestilling is at version ${state.version}`,
            expected: String(state.version),
          },
        ]);
      }
      if (state.kvitteretVersion >= state.version) {
        throw stateError(Fejlkode.bestillingAlleredeKvitteret, `version ${state.version} is kvitteret already`);
      }
      return [
        {
          type: 'BestillingKvitteret',
          data: { bestillingId: state.bestillingId, version: state.version, kvitteret: ctx.now },
        },
      ];
    }
    case 'AccepterBestilling': {
      kraevKvitteretOgAfventerSvar(state);
      const v = new Validering(ctx.katalog);
      const start = command.data.forventetStartdato;
      const forventetStartdato = start === undefined || start === null ? null : v.dato('forventetStartdato', start);
      v.throwIfAny();
      return [
        {
          type: 'BestillingAccepteret',
          data: {
            bestillingId: state.bestillingId,
            accepteret: ctx.now,
            forventetStartdato: forventetStartdato ?? null,
          },
        },
      ];
    }
    case 'AfvisBestilling': {
      kraevKvitteretOgAfventerSvar(state);
      const v = new Validering(ctx.katalog);
      const begrundelse = v.tekst('begrundelse', command.data.begrundelse);
      v.throwIfAny();
      return [
        {
          type: 'BestillingAfvist',
          data: { bestillingId: state.bestillingId, afvist: ctx.now, begrundelse: begrundelse as string },
        },
      ];
    }
    case 'RegistrerVumObservation':
      return vumObservation(command, kraevAccepteret(state), ctx);
    case 'SendStatus':
      return status(command, kraevAccepteret(state), ctx);
    case 'SendTilbagemelding':
      return tilbagemelding(command, kraevAccepteret(state), ctx, opslag);
    case 'KvitterTilbagemelding':
      // Allowed after afslutning too: acknowledging what the udfører sent before it ties a loose end; it documents
      // nothing new on the indsats.
      return kvitterTilbagemelding(command, state, ctx);
    case 'GennemfoerOpfoelgning':
      return opfoelgning(command, kraevAccepteret(state), ctx);
    case 'AfslutIndsats':
      return afslut(command, kraevAccepteret(state), ctx);
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}

function kraevIkkeAfsluttet(state: BestillingFindes): BestillingFindes {
  if (state.fase === 'afsluttet')
    throw stateError(Fejlkode.bestillingAfsluttet, 'the indsats is afsluttet; nothing more can be done on it');
  if (state.fase === 'annulleret' || state.fase === 'afvist') {
    throw stateError(Fejlkode.bestillingIkkeAktiv, `the bestilling is ${state.fase}`);
  }
  return state;
}

/** Documentation and opfølgning need an accepted, running indsats. */
export function kraevAccepteret(state: BestillingFindes): BestillingFindes {
  kraevIkkeAfsluttet(state);
  if (state.fase !== 'accepteret') {
    throw stateError(
      Fejlkode.bestillingIkkeAccepteret,
      'the udfører has not accepted the bestilling; nothing can be documented on it yet',
    );
  }
  return state;
}

function kraevAfventerSvar(state: BestillingFindes): BestillingFindes {
  kraevIkkeAfsluttet(state);
  if (state.fase !== 'afgivet')
    throw stateError(Fejlkode.bestillingAlleredeBesvaret, `the bestilling is ${state.fase} already`);
  return state;
}

function kraevKvitteretOgAfventerSvar(state: BestillingFindes): BestillingFindes {
  kraevAfventerSvar(state);
  if (state.kvitteretVersion < state.version) {
    throw stateError(
      Fejlkode.bestillingIkkeKvitteret,
      `kvitter modtagelse of version ${state.version} of the bestilling before accepting or rejecting it`,
    );
  }
  return state;
}

function afgiv(command: AfgivBestilling, state: BestillingState, ctx: DecisionContext): BestillingEvent[] {
  if (state.fase !== 'ingen')
    throw stateError(Fejlkode.bestillingFindesAllerede, `bestilling ${command.data.bestillingId} exists already`);
  const d = command.data;
  const v = new Validering(ctx.katalog);
  const bestillingId = v.uuid('bestillingId', d.bestillingId);
  const borgerId = v.uuid('borgerId', d.borgerId);
  if (typeof d.kommunekode !== 'string' || !/^\d{4}$/.test(d.kommunekode)) {
    v.add(Fejlkode.ugyldigVaerdi, 'kommunekode', 'kommunekode must have 4 digits', 'e.g. "0101"');
  }
  if (typeof d.tilbudId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(d.tilbudId)) {
    v.add(
      Fejlkode.ugyldigVaerdi,
      'tilbudId',
      'tilbudId must be 1–64 letters, digits, "-" or "_"',
      'e.g. "tilbud-4711"',
    );
  }
  const tilbudstype = v.kode('tilbudstype', d.tilbudstype, 'tilbud', 'R-15');
  const lovgrundlag = Array.isArray(d.lovgrundlag) ? d.lovgrundlag : [];
  if (lovgrundlag.length === 0 || lovgrundlag.some((l) => !(LOVGRUNDLAG as readonly unknown[]).includes(l))) {
    v.add(
      Fejlkode.ugyldigVaerdi,
      'lovgrundlag',
      'lovgrundlag must name the paragraphs FFB covers',
      LOVGRUNDLAG.join(', '),
    );
  } else if (new Set(lovgrundlag).size !== lovgrundlag.length) {
    v.add(Fejlkode.dubletId, 'lovgrundlag', 'a paragraph is named twice', 'each paragraph once');
  }
  const ydelser = ydelsesliste(v, 'ydelser', d.ydelser, new Set());
  if (Array.isArray(d.ydelser) && d.ydelser.length === 0)
    v.add(Fejlkode.bestillingIngenYdelser, 'ydelser', 'at least one ydelse is required');
  const primaer = enKode(v, 'primaerMaalgruppe', d.primaerMaalgruppe, 'R-12', 'primær målgruppe', 'maalgruppe', 'R-15');
  const oevrige = maalgrupper(v, d.oevrigeMaalgrupper ?? [], primaer);
  const stoettebehov = enKode(v, 'stoettebehov', d.stoettebehov, 'R-10', 'støttebehov', 'stoettebehov');
  if (typeof d.borgerensOensker !== 'string')
    v.add(Fejlkode.ugyldigVaerdi, 'borgerensOensker', 'must be a text', 'string');
  const indsatsformaal = v.tekst('indsatsformaal', d.indsatsformaal);
  const indsatsmaal = indsatsmaalsliste(v, 'indsatsmaal', d.indsatsmaal, new Set(), 1);
  if (Array.isArray(d.indsatsmaal) && d.indsatsmaal.length === 0) {
    v.add(Fejlkode.bestillingIngenIndsatsmaal, 'indsatsmaal', 'at least one indsatsmål is required');
  }
  v.throwIfAny();
  const found = advarsler(v, ctx, {
    tilbudstype: tilbudstype as Kode,
    ydelser,
    nyeMaal: indsatsmaal.map((maal, idx) => ({ maal, field: `indsatsmaal[${idx}]` })),
    antalMaal: indsatsmaal.length,
  });
  v.throwIfAny();
  return [
    {
      type: 'BestillingAfgivet',
      data: {
        bestillingId: bestillingId as string,
        version: 1,
        borgerId: borgerId as string,
        kommunekode: d.kommunekode,
        tilbudId: d.tilbudId,
        tilbudstype: tilbudstype as Kode,
        lovgrundlag,
        ydelser,
        primaerMaalgruppe: primaer as Kode,
        oevrigeMaalgrupper: oevrige,
        stoettebehov: stoettebehov as Kode,
        borgerensOensker: d.borgerensOensker,
        indsatsformaal: indsatsformaal as string,
        indsatsmaal,
        afgivet: ctx.now,
        advarsler: found,
      },
    },
  ];
}

function ydelsesliste(v: Validering, field: string, input: unknown, brugte: Set<string>): YdelseLinje[] {
  if (!Array.isArray(input)) {
    v.add(Fejlkode.ugyldigVaerdi, field, 'must be a list of ydelser', 'a list');
    return [];
  }
  return (input as YdelseInput[]).flatMap((y, i) => {
    const linje = validerYdelse(v, `${field}[${i}]`, y, { ny: brugte });
    if (linje) brugte.add(linje.ydelseLinjeId);
    return linje ? [linje] : [];
  });
}

function indsatsmaalsliste(
  v: Validering,
  field: string,
  input: unknown,
  brugte: Set<string>,
  foersteNummer: number,
): Indsatsmaal[] {
  if (!Array.isArray(input)) {
    v.add(Fejlkode.ugyldigVaerdi, field, 'must be a list of indsatsmål', 'a list');
    return [];
  }
  return (input as IndsatsmaalInput[]).flatMap((m, i) => {
    const maal = validerIndsatsmaal(v, `${field}[${i}]`, m, foersteNummer + i, { ny: brugte });
    if (maal) brugte.add(maal.indsatsmaalId);
    return maal ? [maal] : [];
  });
}

function maalgrupper(v: Validering, input: unknown, primaer: Kode | undefined): Kode[] {
  if (!Array.isArray(input)) {
    v.add('R-12', 'oevrigeMaalgrupper', 'must be a list of målgruppe codes', 'a list');
    return [];
  }
  const result: Kode[] = [];
  input.forEach((code: unknown, i: number) => {
    const kode = v.kode(`oevrigeMaalgrupper[${i}]`, code, 'maalgruppe', 'R-15');
    if (!kode) return;
    if (kode.code === primaer?.code || result.some((k) => k.code === kode.code)) {
      v.add(
        'R-12',
        `oevrigeMaalgrupper[${i}]`,
        'a målgruppe is given twice',
        'each målgruppe once, the primær not among the øvrige',
      );
    } else result.push(kode);
  });
  return result;
}

function aendr(command: AendrBestilling, state: BestillingFindes, ctx: DecisionContext): BestillingEvent[] {
  const d = command.data;
  const v = new Validering(ctx.katalog);
  const begrundelse = v.tekst('begrundelse', d.begrundelse);
  const indsatsformaal = d.indsatsformaal === undefined ? undefined : v.tekst('indsatsformaal', d.indsatsformaal);
  const stoettebehov =
    d.stoettebehov === undefined ? undefined : v.kode('stoettebehov', d.stoettebehov, 'stoettebehov');
  const kendteMaal = new Set(state.indsatsmaal.map((m) => m.indsatsmaalId));
  const aktiveMaal = new Set(aktiveIndsatsmaal(state).map((m) => m.indsatsmaalId));
  const tilfoejede = indsatsmaalsliste(
    v,
    'tilfoejIndsatsmaal',
    d.tilfoejIndsatsmaal ?? [],
    new Set(kendteMaal),
    state.indsatsmaal.length + 1,
  );
  const naevnte = new Set<string>();
  const foersteGang = (field: string, id: string): boolean => {
    const key = `${field}:${id}`;
    if (!naevnte.has(key)) return (naevnte.add(key), true);
    v.add(Fejlkode.dubletId, field, 'the same id is named twice in the ændring', 'each id once');
    return false;
  };
  const aendrede = (d.aendrIndsatsmaal ?? []).flatMap((m, i) => {
    const field = `aendrIndsatsmaal[${i}]`;
    if (!foersteGang('aendrIndsatsmaal', m.indsatsmaalId)) return [];
    const eksisterende = state.indsatsmaal.find((x) => x.indsatsmaalId === m.indsatsmaalId && x.aktiv);
    if (!eksisterende) {
      v.add(
        Fejlkode.indsatsmaalFindesIkke,
        `${field}.indsatsmaalId`,
        'no active indsatsmål has this id',
        'the id of an active indsatsmål',
      );
      return [];
    }
    const maal = validerIndsatsmaal(v, field, m, eksisterende.nummer, 'eksisterende');
    return maal ? [{ maal, field }] : [];
  });
  const afsluttede = d.afslutIndsatsmaal ?? [];
  afsluttede.forEach((id, i) => {
    if (!foersteGang('afslutIndsatsmaal', id)) return;
    if (!aktiveMaal.has(id))
      v.add(Fejlkode.indsatsmaalFindesIkke, `afslutIndsatsmaal[${i}]`, 'no active indsatsmål has this id');
    if (aendrede.some((a) => a.maal.indsatsmaalId === id)) {
      v.add(Fejlkode.ugyldigVaerdi, `afslutIndsatsmaal[${i}]`, 'an indsatsmål cannot be changed and ended at once');
    }
  });
  const kendteYdelser = new Set(state.ydelser.map((y) => y.ydelseLinjeId));
  const tilfoejedeYdelser = ydelsesliste(v, 'tilfoejYdelser', d.tilfoejYdelser ?? [], new Set(kendteYdelser));
  const aendredeYdelser = (d.aendrYdelser ?? []).flatMap((y, i) => {
    if (!foersteGang('aendrYdelser', y.ydelseLinjeId)) return [];
    if (!kendteYdelser.has(y.ydelseLinjeId)) {
      v.add(Fejlkode.ydelseFindesIkke, `aendrYdelser[${i}].ydelseLinjeId`, 'no ydelse-linje has this id');
      return [];
    }
    const linje = validerYdelse(v, `aendrYdelser[${i}]`, y, 'eksisterende');
    return linje ? [linje] : [];
  });
  const antalAendringer =
    tilfoejede.length +
    aendrede.length +
    afsluttede.length +
    tilfoejedeYdelser.length +
    aendredeYdelser.length +
    (indsatsformaal ? 1 : 0) +
    (stoettebehov ? 1 : 0);
  if (!v.any && antalAendringer === 0)
    v.add(Fejlkode.bestillingIngenAendring, undefined, 'the ændring changes nothing');
  v.throwIfAny();
  const resultatMaal = [
    ...aktiveIndsatsmaal(state)
      .filter((m) => !afsluttede.includes(m.indsatsmaalId))
      .map((m) => aendrede.find((a) => a.maal.indsatsmaalId === m.indsatsmaalId)?.maal ?? m),
    ...tilfoejede,
  ];
  if (resultatMaal.length === 0)
    v.add(Fejlkode.bestillingIngenIndsatsmaal, 'afslutIndsatsmaal', 'the bestilling would have no active indsatsmål');
  const resultatYdelser = [
    ...state.ydelser.map((y) => aendredeYdelser.find((a) => a.ydelseLinjeId === y.ydelseLinjeId) ?? y),
    ...tilfoejedeYdelser,
  ];
  const ydelserAendret = tilfoejedeYdelser.length + aendredeYdelser.length > 0;
  const found = advarsler(v, ctx, {
    tilbudstype: state.tilbudstype,
    ...(ydelserAendret ? { ydelser: resultatYdelser } : {}),
    nyeMaal: [...tilfoejede.map((maal, i) => ({ maal, field: `tilfoejIndsatsmaal[${i}]` })), ...aendrede],
    ...(tilfoejede.length + afsluttede.length > 0 ? { antalMaal: resultatMaal.length } : {}),
  });
  v.throwIfAny();
  return [
    {
      type: 'BestillingAendret',
      data: {
        bestillingId: state.bestillingId,
        version: state.version + 1,
        aendret: ctx.now,
        begrundelse: begrundelse as string,
        ...(indsatsformaal === undefined ? {} : { indsatsformaal }),
        ...(stoettebehov === undefined ? {} : { stoettebehov }),
        tilfoejedeIndsatsmaal: tilfoejede,
        aendredeIndsatsmaal: aendrede.map((a) => a.maal),
        afsluttedeIndsatsmaal: [...afsluttede],
        tilfoejedeYdelser,
        aendredeYdelser,
        advarsler: found,
      },
    },
  ];
}

function vumObservation(
  command: RegistrerVumObservation,
  state: BestillingFindes,
  ctx: DecisionContext,
): BestillingEvent[] {
  const d = command.data;
  const v = new Validering(ctx.katalog);
  const observationId = v.nyId('observationId', d.observationId, new Set(state.brugteIder));
  const tekst = v.tekst('tekst', d.tekst);
  const tags = Array.isArray(d.undertemaer) ? d.undertemaer : [];
  if (tags.length === 0)
    v.add(
      'R-25',
      'undertemaer',
      'a VUM-observation carries at least one #VUM-undertema',
      'one or more undertema codes',
    );
  const undertemaer: Kode[] = [];
  tags.forEach((code: unknown, i) => {
    const undertema = v.undertema(`undertemaer[${i}]`, code);
    if (!undertema) return;
    if (undertemaer.some((u) => u.code === undertema.code))
      v.add(Fejlkode.dubletId, `undertemaer[${i}]`, 'the undertema is tagged twice', 'each undertema once');
    else undertemaer.push(ctx.katalog.kode(undertema.code));
  });
  if (typeof d.paavirkerIndsatsen !== 'boolean')
    v.add(Fejlkode.ugyldigVaerdi, 'paavirkerIndsatsen', 'must be true or false', 'boolean');
  const borgerTagerIkkeImod = d.borgerTagerIkkeImod ?? false;
  if (typeof borgerTagerIkkeImod !== 'boolean')
    v.add(Fejlkode.ugyldigVaerdi, 'borgerTagerIkkeImod', 'must be true or false', 'boolean');
  const observeret = v.fortidigtTidspunkt('observeret', d.observeret, ctx.now);
  v.throwIfAny();
  return [
    {
      type: 'VumObservationRegistreret',
      data: {
        bestillingId: state.bestillingId,
        observationId: observationId as string,
        tekst: tekst as string,
        undertemaer,
        paavirkerIndsatsen: d.paavirkerIndsatsen,
        borgerTagerIkkeImod,
        observeret: observeret as string,
        registreret: ctx.now,
      },
    },
  ];
}

function status(command: SendStatus, state: BestillingFindes, ctx: DecisionContext): BestillingEvent[] {
  const d = command.data;
  const v = new Validering(ctx.katalog);
  const statusId = v.nyId('statusId', d.statusId, new Set(state.brugteIder));
  const aktive = aktiveIndsatsmaal(state);
  const svar = Array.isArray(d.indsatsmaal) ? d.indsatsmaal : [];
  const besvarede = new Set<string>();
  svar.forEach((s, i) => {
    if (!aktive.some((m) => m.indsatsmaalId === s.indsatsmaalId)) {
      v.add(Fejlkode.indsatsmaalFindesIkke, `indsatsmaal[${i}].indsatsmaalId`, 'no active indsatsmål has this id');
    } else if (besvarede.has(s.indsatsmaalId)) {
      v.add(Fejlkode.ugyldigVaerdi, `indsatsmaal[${i}].indsatsmaalId`, 'the indsatsmål is answered twice');
    }
    besvarede.add(s.indsatsmaalId);
    v.tekst(`indsatsmaal[${i}].statustekst`, s.statustekst, 'R-30');
  });
  for (const m of aktive) {
    if (!besvarede.has(m.indsatsmaalId)) {
      v.add(
        'R-30',
        'indsatsmaal',
        `the status does not answer indsatsmål ${m.nummer} (${m.indsatsmaalId})`,
        'a statustekst for every active indsatsmål',
      );
    }
  }
  v.throwIfAny();
  return [
    {
      type: 'StatusSendt',
      data: {
        bestillingId: state.bestillingId,
        statusId: statusId as string,
        indsatsmaal: svar.map((s) => ({ indsatsmaalId: s.indsatsmaalId, statustekst: s.statustekst })),
        sendt: ctx.now,
      },
    },
  ];
}

function tilbagemelding(
  command: SendTilbagemelding,
  state: BestillingFindes,
  ctx: DecisionContext,
  opslag: BestillingOpslag,
): BestillingEvent[] {
  const d = command.data;
  const v = new Validering(ctx.katalog);
  const tilbagemeldingId = v.nyId('tilbagemeldingId', d.tilbagemeldingId, new Set(state.brugteIder));
  if (!(TILBAGEMELDING_TRIGGERE as readonly unknown[]).includes(d.trigger)) {
    v.add(
      Fejlkode.ugyldigVaerdi,
      'trigger',
      `unknown trigger ${JSON.stringify(d.trigger)}`,
      TILBAGEMELDING_TRIGGERE.join(', '),
    );
  }
  const tekst = v.tekst('tekst', d.tekst);
  const indsatsmaalId = d.indsatsmaalId ?? null;
  if (indsatsmaalId !== null && !state.indsatsmaal.some((m) => m.indsatsmaalId === indsatsmaalId)) {
    v.add(Fejlkode.indsatsmaalFindesIkke, 'indsatsmaalId', 'no indsatsmål of this bestilling has this id');
  }
  const opfylderKravId = d.opfylderKravId ?? null;
  if (opfylderKravId !== null && v.uuid('opfylderKravId', opfylderKravId) !== undefined) {
    const krav = opslag.krav?.get(opfylderKravId);
    if (!krav || krav.bestillingId !== state.bestillingId)
      v.add(Fejlkode.kravFindesIkke, 'opfylderKravId', 'no open tilbagemeldingskrav of this bestilling has this id');
    else if (krav.trigger !== d.trigger)
      v.add(
        Fejlkode.kravAndenTrigger,
        'trigger',
        `the krav is a ${krav.trigger} krav; the tilbagemelding that meets it answers the same trigger`,
        krav.trigger,
      );
    else if (state.tilbagemeldinger.some((t) => t.opfylderKravId === opfylderKravId))
      v.add(
        Fejlkode.kravAlleredeOpfyldt,
        'opfylderKravId',
        'another tilbagemelding met this krav already',
        'an open krav, or none',
      );
  }
  const observationer: ObservationReference[] = [];
  if ((d.observationer ?? []).length > MAX_OBSERVATIONER_PR_TILBAGEMELDING) {
    v.add(
      Fejlkode.ugyldigVaerdi,
      'observationer',
      `at most ${MAX_OBSERVATIONER_PR_TILBAGEMELDING} observations per tilbagemelding`,
      `0 to ${MAX_OBSERVATIONER_PR_TILBAGEMELDING} references`,
    );
  }
  (d.observationer ?? []).slice(0, MAX_OBSERVATIONER_PR_TILBAGEMELDING).forEach((ref, i) => {
    const field = `observationer[${i}]`;
    if (ref.type === 'vum') {
      if (!state.vumObservationer.includes(ref.observationId))
        v.add(Fejlkode.observationFindesIkke, field, 'no VUM-observation of this bestilling has this id');
      else observationer.push({ type: 'vum', observationId: ref.observationId });
    } else if (ref.type === 'delmaal') {
      const delmaal = ref.delmaalId === undefined ? undefined : opslag.delmaal.get(ref.delmaalId);
      if (
        !delmaal ||
        delmaal.bestillingId !== state.bestillingId ||
        !delmaal.observationer.includes(ref.observationId)
      ) {
        v.add(
          Fejlkode.observationFindesIkke,
          field,
          'no delmålsobservation of a delmål of this bestilling has this id',
        );
      } else
        observationer.push({ type: 'delmaal', observationId: ref.observationId, delmaalId: ref.delmaalId as string });
    } else {
      v.add(Fejlkode.ugyldigVaerdi, `${field}.type`, 'unknown observation type', '"vum" or "delmaal"');
    }
  });
  v.throwIfAny();
  return [
    {
      type: 'TilbagemeldingSendt',
      data: {
        bestillingId: state.bestillingId,
        tilbagemeldingId: tilbagemeldingId as string,
        trigger: d.trigger,
        tekst: tekst as string,
        indsatsmaalId,
        observationer,
        opfylderKravId,
        sendt: ctx.now,
      },
    },
  ];
}

function kvitterTilbagemelding(
  command: KvitterTilbagemelding,
  state: BestillingFindes,
  ctx: DecisionContext,
): BestillingEvent[] {
  const d = command.data;
  const tilbagemelding = state.tilbagemeldinger.find((t) => t.tilbagemeldingId === d.tilbagemeldingId);
  if (!tilbagemelding)
    throw notFound(
      Fejlkode.tilbagemeldingFindesIkke,
      'no tilbagemelding of this bestilling has this id',
      'tilbagemeldingId',
    );
  if (tilbagemelding.kvitteret)
    throw stateError(Fejlkode.tilbagemeldingAlleredeKvitteret, 'the tilbagemelding is kvitteret already');
  const bemaerkning = d.bemaerkning ?? null;
  if (bemaerkning !== null && typeof bemaerkning !== 'string') {
    throw new DomainError('invalid', [
      { code: Fejlkode.ugyldigVaerdi, field: 'bemaerkning', message: 'must be a text', expected: 'string' },
    ]);
  }
  return [
    {
      type: 'TilbagemeldingKvitteret',
      data: { bestillingId: state.bestillingId, tilbagemeldingId: d.tilbagemeldingId, kvitteret: ctx.now, bemaerkning },
    },
  ];
}

function opfoelgning(command: GennemfoerOpfoelgning, state: BestillingFindes, ctx: DecisionContext): BestillingEvent[] {
  const d = command.data;
  const v = new Validering(ctx.katalog);
  const opfoelgningId = v.nyId('opfoelgningId', d.opfoelgningId, new Set(state.brugteIder));
  const statusPaaIndsats =
    d.statusPaaIndsats === undefined || d.statusPaaIndsats === null
      ? (v.add('R-31', 'statusPaaIndsats', 'every opfølgning ends in a status på indsats', 'a status på indsats code'),
        undefined)
      : v.kode('statusPaaIndsats', d.statusPaaIndsats, 'statusPaaIndsats');
  const stoettebehov = enKode(v, 'stoettebehov', d.stoettebehov, 'R-10', 'støttebehov', 'stoettebehov');
  const borgerens = v.tekst('borgerensVurdering', d.borgerensVurdering, 'R-32');
  const udfoerers = v.tekst('udfoerersVurdering', d.udfoerersVurdering, 'R-32');
  const sagsbehandlers = v.tekst('sagsbehandlersVurdering', d.sagsbehandlersVurdering, 'R-32');
  const funktionsevne: FunktionsevneVurdering[] = [];
  (Array.isArray(d.funktionsevne) ? d.funktionsevne : []).forEach((f, i) => {
    const field = `funktionsevne[${i}]`;
    const undertema = v.undertema(`${field}.undertema`, f.undertema, 'R-04');
    const niveau = v.kode(`${field}.funktionsevneniveau`, f.funktionsevneniveau, 'funktionsevneniveau');
    if (!undertema || !niveau) return;
    if (funktionsevne.some((x) => x.undertema.code === undertema.code)) {
      v.add(Fejlkode.dubletId, `${field}.undertema`, 'the undertema is assessed twice', 'each undertema once');
    } else {
      funktionsevne.push({ undertema: ctx.katalog.kode(undertema.code), funktionsevneniveau: niveau });
    }
  });
  const maalrettede = new Map(aktiveIndsatsmaal(state).map((m) => [m.undertema.code, m.undertema.display]));
  for (const [code, display] of maalrettede) {
    const givet = (Array.isArray(d.funktionsevne) ? d.funktionsevne : []).some((f) => f.undertema === code);
    if (!givet)
      v.add(
        'R-32',
        'funktionsevne',
        `no funktionsevneniveau for ${display}, which an indsatsmål targets`,
        `a level (or "Ikke vurderet") for ${code}`,
      );
  }
  v.throwIfAny();
  return [
    {
      type: 'OpfoelgningGennemfoert',
      data: {
        bestillingId: state.bestillingId,
        opfoelgningId: opfoelgningId as string,
        gennemfoert: ctx.now,
        funktionsevne,
        borgerensVurdering: borgerens as string,
        udfoerersVurdering: udfoerers as string,
        sagsbehandlersVurdering: sagsbehandlers as string,
        stoettebehov: stoettebehov as Kode,
        statusPaaIndsats: statusPaaIndsats as Kode,
      },
    },
  ];
}

function afslut(command: AfslutIndsats, state: BestillingFindes, ctx: DecisionContext): BestillingEvent[] {
  const v = new Validering(ctx.katalog);
  const slutdato = v.dato('slutdato', command.data.slutdato);
  const begrundelse = v.tekst('begrundelse', command.data.begrundelse);
  v.throwIfAny();
  return [
    {
      type: 'IndsatsAfsluttet',
      data: {
        bestillingId: state.bestillingId,
        afsluttet: ctx.now,
        slutdato: slutdato as string,
        begrundelse: begrundelse as string,
      },
    },
  ];
}
