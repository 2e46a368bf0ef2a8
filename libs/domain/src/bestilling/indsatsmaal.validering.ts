import type { Gren, Kode } from '../ffb/katalog';
import type { DecisionContext } from '../shared/decider';
import type { Validering } from '../shared/validering';
import type { IndsatsmaalInput, YdelseInput } from './bestilling.commands';
import type { Advarsel, Indsatsmaal, YdelseLinje } from './bestilling.events';

/** Inputs that must hold one value; a list with one element is taken, any other list breaks `ruleCode`. */
export function enVaerdi(v: Validering, field: string, value: unknown, ruleCode: string, what: string): unknown {
  if (value === undefined || value === null) {
    v.add(ruleCode, field, `exactly one ${what} is required`, `one ${what}`);
    return undefined;
  }
  if (Array.isArray(value)) {
    if (value.length === 1) return value[0];
    v.add(ruleCode, field, `exactly one ${what} is required, got ${value.length}`, `one ${what}`);
    return undefined;
  }
  return value;
}

/** Exactly one code of a branch: a missing value or a list breaks `antalRegel`, a wrong code breaks `kodeRegel`. */
export function enKode(
  v: Validering,
  field: string,
  value: unknown,
  antalRegel: string,
  what: string,
  gren: Gren,
  kodeRegel?: string,
): Kode | undefined {
  const one = enVaerdi(v, field, value, antalRegel, what);
  return one === undefined ? undefined : v.kode(field, one, gren, kodeRegel);
}

/** Checks one indsatsmål and returns it as the event stores it. */
export function validerIndsatsmaal(
  v: Validering,
  field: string,
  input: IndsatsmaalInput,
  nummer: number,
  idKrav: IdKrav,
): Indsatsmaal | undefined {
  const indsatsmaalId = id(v, `${field}.indsatsmaalId`, input.indsatsmaalId, idKrav);
  const maalformulering = v.tekst(`${field}.maalformulering`, input.maalformulering);
  const maaltype = v.kode(`${field}.maaltype`, input.maaltype, 'maaltype', 'R-06');
  const undertema = aktivitetOgDeltagelse(
    v,
    `${field}.undertema`,
    enVaerdi(v, `${field}.undertema`, input.undertema, 'R-02', 'undertema'),
    'R-01',
  );
  const aktuelt = v.kode(
    `${field}.aktueltFunktionsevneniveau`,
    input.aktueltFunktionsevneniveau,
    'funktionsevneniveau',
  );
  const forventet = v.kode(
    `${field}.forventetFunktionsevneniveau`,
    input.forventetFunktionsevneniveau,
    'funktionsevneniveau',
  );
  const opfoelgningsdato = v.dato(`${field}.opfoelgningsdato`, input.opfoelgningsdato);
  const ansvarlig = v.tekst(`${field}.ansvarligForOpfoelgning`, input.ansvarligForOpfoelgning);
  const relaterede: Kode[] = [];
  const relateredeInput = input.relateredeUndertemaer ?? [];
  if (!Array.isArray(relateredeInput)) {
    v.add(
      'R-03',
      `${field}.relateredeUndertemaer`,
      'must be a list of undertema codes',
      'a list of A&D undertema codes',
    );
  } else {
    relateredeInput.forEach((code: unknown, i: number) => {
      const f = `${field}.relateredeUndertemaer[${i}]`;
      const kode = aktivitetOgDeltagelse(v, f, code, 'R-03');
      if (!kode) return;
      if (undertema && kode.code === undertema.code) {
        v.add('R-03', f, 'a related undertema repeats the indsatsmål undertema', 'another A&D undertema');
      } else if (relaterede.some((r) => r.code === kode.code)) {
        v.add('R-03', f, 'the undertema is related twice', 'each related undertema once');
      } else relaterede.push(kode);
    });
  }
  if (
    !indsatsmaalId ||
    !maalformulering ||
    !maaltype ||
    !undertema ||
    !aktuelt ||
    !forventet ||
    !opfoelgningsdato ||
    !ansvarlig
  ) {
    return undefined;
  }
  return {
    indsatsmaalId,
    nummer,
    maalformulering,
    maaltype,
    undertema,
    aktueltFunktionsevneniveau: aktuelt,
    forventetFunktionsevneniveau: forventet,
    opfoelgningsdato,
    ansvarligForOpfoelgning: ansvarlig,
    relateredeUndertemaer: relaterede,
  };
}

/** New ids must be unused in the stream; an ændring names an existing id. */
export type IdKrav = { readonly ny: ReadonlySet<string> } | 'eksisterende';

function id(v: Validering, field: string, value: unknown, krav: IdKrav): string | undefined {
  return krav === 'eksisterende' ? v.uuid(field, value) : v.nyId(field, value, krav.ny);
}

/** An undertema code from kategori Aktivitet og deltagelse, as the coded value an event stores. */
export function aktivitetOgDeltagelse(
  v: Validering,
  field: string,
  value: unknown,
  ruleCode: string,
): Kode | undefined {
  if (value === undefined) return undefined;
  const undertema = v.undertema(field, value, ruleCode);
  return undertema ? v.katalog.kode(undertema.code) : undefined;
}

export function validerYdelse(
  v: Validering,
  field: string,
  input: YdelseInput,
  idKrav: IdKrav,
): YdelseLinje | undefined {
  const ydelseLinjeId = id(v, `${field}.ydelseLinjeId`, input.ydelseLinjeId, idKrav);
  const ydelse = v.kode(`${field}.ydelse`, input.ydelse, 'ydelse', 'R-15');
  const startdato = v.dato(`${field}.startdato`, input.startdato);
  const slutdato =
    input.slutdato === undefined || input.slutdato === null ? null : v.dato(`${field}.slutdato`, input.slutdato);
  if (startdato && slutdato && slutdato < startdato) {
    v.add(
      'R-17',
      `${field}.slutdato`,
      `slutdato ${slutdato} is before startdato ${startdato}`,
      `a date on or after ${startdato}`,
    );
    return undefined;
  }
  if (!ydelseLinjeId || !ydelse || !startdato || slutdato === undefined) return undefined;
  return { ydelseLinjeId, ydelse, startdato, slutdato };
}

/**
 * What a command asks the "Warn" rules to judge. An afgivelse is judged whole; an ændring only on what it changes, so
 * a goal the kommune accepted once is not warned about (or, where configured, refused) again on every later ændring.
 */
export interface AdvarselsGrundlag {
  readonly tilbudstype: Kode;
  /** The ydelser after the command, or undefined when the command does not touch them. */
  readonly ydelser?: readonly YdelseLinje[];
  /** The indsatsmål the command sets, each with its path in the command (for `field`). */
  readonly nyeMaal: readonly { readonly maal: Indsatsmaal; readonly field: string }[];
  /** The number of active indsatsmål after the command, or undefined when the command does not change it. */
  readonly antalMaal?: number;
}

/**
 * The "Warn" rules (reference.md §5). A kommune may list any of them in `afvisAdvarsler` to reject instead; those
 * come back as violations on `v`.
 */
export function advarsler(v: Validering, ctx: DecisionContext, grundlag: AdvarselsGrundlag): Advarsel[] {
  const found: Advarsel[] = [];
  const { katalog, regler } = ctx;
  if (grundlag.ydelser) {
    const igangvaerende = grundlag.ydelser.filter((y) => y.slutdato === null || y.slutdato >= ctx.now.slice(0, 10));
    const ophold = igangvaerende.filter((y) => katalog.iGren(y.ydelse.code, 'ophold'));
    if (katalog.iGren(grundlag.tilbudstype.code, 'botilbud') && ophold.length === 0) {
      found.push({
        code: 'R-16',
        field: 'ydelser',
        message: 'a bestilling on a botilbud should include an opholdsydelse (midlertidigt or længerevarende ophold)',
      });
    }
    if (igangvaerende.length > 0 && igangvaerende.length === ophold.length) {
      found.push({
        code: 'R-18',
        field: 'ydelser',
        message: 'order the ydelser to be delivered, not only the ophold ("til døren")',
      });
    }
  }
  for (const { maal: m, field } of grundlag.nyeMaal) {
    const aktuelt = katalog.funktionsevneniveau(m.aktueltFunktionsevneniveau.code);
    const forventet = katalog.funktionsevneniveau(m.forventetFunktionsevneniveau.code);
    const type = katalog.maaltype(m.maaltype.code);
    if (aktuelt === null || forventet === null || aktuelt === undefined || forventet === undefined) continue;
    const consistent =
      type === 'udvikle' ? forventet < aktuelt : type === 'fastholde' ? forventet === aktuelt : forventet >= aktuelt;
    if (!consistent) {
      found.push({
        code: 'R-08',
        field: `${field}.forventetFunktionsevneniveau`,
        message: `forventet niveau ${forventet} does not fit måltype "${m.maaltype.display}" from aktuelt niveau ${aktuelt}`,
      });
    }
  }
  if (regler.antalIndsatsmaal && grundlag.antalMaal !== undefined) {
    const { min, max } = regler.antalIndsatsmaal;
    if (grundlag.antalMaal < min || grundlag.antalMaal > max) {
      found.push({
        code: 'R-22',
        field: 'indsatsmaal',
        message: `the kommune expects ${min}–${max} indsatsmål, got ${grundlag.antalMaal}`,
      });
    }
  }
  const afvis = (code: string) => (regler.afvisAdvarsler as readonly string[]).includes(code);
  for (const a of found) if (afvis(a.code)) v.add(a.code, a.field, a.message);
  return found.filter((a) => !afvis(a.code));
}
