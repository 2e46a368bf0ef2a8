import type { FfbKatalog, Gren, Kode, Undertema } from '../ffb/katalog';
import { erDato } from './dates';
import { Fejlkode, Violations } from './errors';

/** Lower case only, as the event store's ids: one spelling per id, so a stream is always found again. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** ISO-8601 instant with a zone, e.g. 2026-03-01T09:30:00Z or 2026-03-01T09:30:00.000+01:00. */
const TIDSPUNKT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const GREN_NAVN: Record<Gren | 'ophold' | 'botilbud', string> = {
  socialIndsats: 'a social indsats code',
  ydelse: 'an FFB ydelse code',
  tilbud: 'an FFB tilbud (socialt tilbud type) code',
  maalgruppe: 'an FFB målgruppe code',
  stoettebehov: 'an FFB støttebehovsniveau code',
  statusPaaIndsats: 'an FFB status på indsats code',
  tilstande: 'an FFB tilstand code',
  maaltype: 'an FFB måltype code',
  funktionsevneniveau: 'an FFB funktionsevneniveau code',
  ophold: 'an FFB opholdsydelse code',
  botilbud: 'an FFB botilbud code',
};

export function erUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function erTidspunkt(value: unknown): value is string {
  return typeof value === 'string' && TIDSPUNKT.test(value) && !Number.isNaN(Date.parse(value));
}

/** Field checks that collect violations instead of throwing at the first. */
export class Validering extends Violations {
  constructor(readonly katalog: FfbKatalog) {
    super();
  }

  /** A code from one branch of the catalog; `ruleCode` names the rule a wrong code breaks (default FFB.UGYLDIG_KODE). */
  kode(
    field: string,
    value: unknown,
    gren: Gren | 'ophold',
    ruleCode: string = Fejlkode.ugyldigKode,
  ): Kode | undefined {
    if (typeof value !== 'string' || !this.katalog.iGren(value, gren)) {
      this.add(
        ruleCode,
        field,
        typeof value === 'string'
          ? `${value} is not ${GREN_NAVN[gren]} in FFB ${this.katalog.version}`
          : 'missing code',
        `${GREN_NAVN[gren]} (UUID from ${this.katalog.url} version ${this.katalog.version})`,
      );
      return undefined;
    }
    return this.katalog.kode(value);
  }

  tekst(field: string, value: unknown, code: string = Fejlkode.paakraevet): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') {
      this.add(code, field, 'a non-empty text is required', 'non-empty string');
      return undefined;
    }
    return value;
  }

  dato(field: string, value: unknown): string | undefined {
    if (!erDato(value)) {
      this.add(Fejlkode.ugyldigDato, field, 'not a date', 'a date as YYYY-MM-DD');
      return undefined;
    }
    return value;
  }

  tidspunkt(field: string, value: unknown): string | undefined {
    if (!erTidspunkt(value)) {
      this.add(Fejlkode.ugyldigDato, field, 'not a timestamp', 'ISO-8601 with a zone');
      return undefined;
    }
    return value;
  }

  uuid(field: string, value: unknown): string | undefined {
    if (!erUuid(value)) {
      this.add(Fejlkode.ugyldigVaerdi, field, 'not a UUID', 'a UUID in lower case');
      return undefined;
    }
    return value;
  }

  /** A timestamp that is not after `now`: things are documented after they happen. */
  fortidigtTidspunkt(field: string, value: unknown, now: string): string | undefined {
    const tidspunkt = this.tidspunkt(field, value);
    if (tidspunkt && Date.parse(tidspunkt) > Date.parse(now)) {
      this.add(Fejlkode.ugyldigDato, field, 'lies in the future', `a time not after ${now}`);
      return undefined;
    }
    return tidspunkt;
  }

  /**
   * A VUM 2.0 undertema. With `kunAktivitetOgDeltagelse`, an undertema of another kategori breaks that rule code
   * (R-01 for an indsatsmål, R-03 for a related undertema, R-04 for a funktionsevneniveau).
   */
  undertema(field: string, value: unknown, kunAktivitetOgDeltagelse?: string): Undertema | undefined {
    const undertema = typeof value === 'string' ? this.katalog.undertema(value) : undefined;
    const expected = kunAktivitetOgDeltagelse
      ? 'an undertema code of kategori Aktivitet og deltagelse'
      : 'an undertema code';
    if (!undertema) {
      this.add(Fejlkode.ugyldigKode, field, 'not a VUM 2.0 undertema', expected);
      return undefined;
    }
    if (kunAktivitetOgDeltagelse && undertema.kategori !== 'aktivitetOgDeltagelse') {
      this.add(
        kunAktivitetOgDeltagelse,
        field,
        `${undertema.display} (${undertema.overtema.display}) is not in kategori Aktivitet og deltagelse`,
        expected,
      );
      return undefined;
    }
    return undertema;
  }

  /** Ids must be UUIDs, unique within the command and not used before in the stream. */
  nyId(field: string, value: unknown, brugte: ReadonlySet<string>): string | undefined {
    const id = this.uuid(field, value);
    if (id === undefined) return undefined;
    if (brugte.has(id)) {
      this.add(Fejlkode.idFindesAllerede, field, `id ${id} is used already`, 'a new UUID');
      return undefined;
    }
    return id;
  }
}
