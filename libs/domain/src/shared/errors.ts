/**
 * Domain errors with stable codes (docs/adr/0003). `R-xx` codes are the business rules of reference.md §5; the
 * others name a state or input problem. The edge maps `kind` to HTTP in one place: not_found → 404, else 422.
 */
export type DomainErrorKind = 'rule' | 'state' | 'invalid' | 'not_found';

export interface Violation {
  readonly code: string;
  /** JSON path of the offending field in the command's data, e.g. `indsatsmaal[1].undertema`. */
  readonly field?: string;
  readonly message: string;
  /** What would have been accepted. */
  readonly expected?: string;
}

export class DomainError extends Error {
  readonly code: string;
  constructor(
    readonly kind: DomainErrorKind,
    readonly violations: readonly [Violation, ...Violation[]],
  ) {
    super(violations.map((v) => `${v.code}${v.field ? ` (${v.field})` : ''}: ${v.message}`).join('; '));
    this.name = 'DomainError';
    this.code = violations[0].code;
  }
}

/** Collects violations while validating a command, then throws them together. */
export class Violations {
  private readonly list: Violation[] = [];

  add(code: string, field: string | undefined, message: string, expected?: string): void {
    this.list.push({
      code,
      ...(field === undefined ? {} : { field }),
      message,
      ...(expected === undefined ? {} : { expected }),
    });
  }

  get any(): boolean {
    return this.list.length > 0;
  }

  /** Throws all collected violations; rule violations win the top-level kind over invalid input. */
  throwIfAny(): void {
    const [first, ...rest] = this.list;
    if (!first) return;
    const kind: DomainErrorKind = this.list.some((v) => v.code.startsWith('R-')) ? 'rule' : 'invalid';
    throw new DomainError(kind, [first, ...rest]);
  }
}

export function stateError(code: string, message: string, field?: string): DomainError {
  return new DomainError('state', [{ code, message, ...(field === undefined ? {} : { field }) }]);
}

export function notFound(code: string, message: string, field?: string): DomainError {
  return new DomainError('not_found', [{ code, message, ...(field === undefined ? {} : { field }) }]);
}

/** Stable codes that are not business rules. */
export const Fejlkode = {
  ugyldigKode: 'FFB.UGYLDIG_KODE',
  ugyldigDato: 'FELT.UGYLDIG_DATO',
  datoRaekkefoelge: 'FELT.DATO_RAEKKEFOELGE',
  paakraevet: 'FELT.PAAKRAEVET',
  ugyldigVaerdi: 'FELT.UGYLDIG_VAERDI',
  dubletId: 'FELT.DUBLET_ID',
  bestillingFindesIkke: 'BESTILLING.FINDES_IKKE',
  bestillingFindesAllerede: 'BESTILLING.FINDES_ALLEREDE',
  bestillingIkkeAktiv: 'BESTILLING.IKKE_AKTIV',
  bestillingIkkeAccepteret: 'BESTILLING.IKKE_ACCEPTERET',
  bestillingAfsluttet: 'BESTILLING.AFSLUTTET',
  bestillingIkkeKvitteret: 'BESTILLING.IKKE_KVITTERET',
  bestillingAlleredeKvitteret: 'BESTILLING.ALLEREDE_KVITTERET',
  bestillingAlleredeBesvaret: 'BESTILLING.ALLEREDE_BESVARET',
  bestillingIngenAendring: 'BESTILLING.INGEN_AENDRING',
  bestillingIngenIndsatsmaal: 'BESTILLING.INGEN_INDSATSMAAL',
  bestillingIngenYdelser: 'BESTILLING.INGEN_YDELSER',
  indsatsmaalFindesIkke: 'INDSATSMAAL.FINDES_IKKE',
  ydelseFindesIkke: 'YDELSE.FINDES_IKKE',
  observationFindesIkke: 'OBSERVATION.FINDES_IKKE',
  tilbagemeldingFindesIkke: 'TILBAGEMELDING.FINDES_IKKE',
  tilbagemeldingAlleredeKvitteret: 'TILBAGEMELDING.ALLEREDE_KVITTERET',
  delmaalFindesIkke: 'DELMAAL.FINDES_IKKE',
  delmaalFindesAllerede: 'DELMAAL.FINDES_ALLEREDE',
  delmaalAfsluttet: 'DELMAAL.AFSLUTTET',
  idFindesAllerede: 'FELT.ID_FINDES_ALLEREDE',
  cprUgyldigt: 'BORGER.CPR_UGYLDIGT',
  borgerSlettet: 'BORGER.SLETTET',
  borgerFindesIkke: 'BORGER.FINDES_IKKE',
  borgerAktivIndsats: 'BORGER.AKTIV_INDSATS',
  borgerAndenKommune: 'BORGER.ANDEN_KOMMUNE',
  kravFindesIkke: 'TILBAGEMELDINGSKRAV.FINDES_IKKE',
  kravAlleredeOpfyldt: 'TILBAGEMELDINGSKRAV.ALLEREDE_OPFYLDT',
  kravAndenTrigger: 'TILBAGEMELDINGSKRAV.ANDEN_TRIGGER',
  paamindelseFindesIkke: 'PAAMINDELSE.FINDES_IKKE',
} as const;
