import { DomainError, Fejlkode } from './errors';

/**
 * CPR-nummer validation (CPR-kontoret's rules): ten digits, DDMMYY a real date, century from the 7th digit.
 * Modulus-11 is not checked: CPR numbers without it have been issued since 2007.
 */
export function erGyldigtCpr(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const digits = value.replace(/^(\d{6})-(\d{4})$/, '$1$2');
  if (!/^\d{10}$/.test(digits)) return false;
  const day = Number(digits.slice(0, 2));
  const month = Number(digits.slice(2, 4));
  const yy = Number(digits.slice(4, 6));
  const seventh = Number(digits[6]);
  const year = yy + aarhundrede(seventh, yy);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The CPR number without a dash: the one form the vault stores and indexes. */
export function normaliserCpr(value: string): string {
  return value.replace('-', '');
}

function aarhundrede(seventh: number, yy: number): number {
  if (seventh <= 3) return 1900;
  if (seventh === 4 || seventh === 9) return yy <= 36 ? 2000 : 1900;
  return yy <= 57 ? 2000 : 1800;
}

/** The one check of a CPR-nummer at the edges: throws BORGER.CPR_UGYLDIGT (422) naming the field. */
export function kontrollerCpr(value: unknown, field = 'cpr'): string {
  if (!erGyldigtCpr(value)) {
    throw new DomainError('invalid', [
      { code: Fejlkode.cprUgyldigt, field, message: 'not a valid CPR-nummer', expected: 'DDMMYYXXXX or DDMMYY-XXXX' },
    ]);
  }
  return value;
}
