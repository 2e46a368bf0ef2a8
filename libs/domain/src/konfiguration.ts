/**
 * Per-kommune configuration of the "Warn" rules of reference.md §5. The sources give no thresholds; the defaults are
 * ours: every Warn rule warns, R-22 (Høje-Taastrup's local 2–3 indsatsmål) is off until a kommune turns it on.
 */
export const ADVARSELSREGLER = ['R-08', 'R-16', 'R-18', 'R-22'] as const;
export type Advarselsregel = (typeof ADVARSELSREGLER)[number];

export interface Regelkonfiguration {
  /** Warn rules this kommune enforces as rejections. */
  readonly afvisAdvarsler: readonly Advarselsregel[];
  /** the number of indsatsmål the kommune expects; undefined = not checked. */
  readonly antalIndsatsmaal?: { readonly min: number; readonly max: number };
  /** whether the tilbud must score every delmålsobservation 0–4 (Bosted model) or may. */
  readonly delmaalScore: 'valgfri' | 'paakraevet';
}

export const STANDARD_REGLER: Regelkonfiguration = { afvisAdvarsler: [], delmaalScore: 'valgfri' };

/** Validates a configuration read from a file; returns the problems as readable lines, or the configuration. */
export function parseRegelkonfiguration(
  input: unknown,
): { ok: true; value: Regelkonfiguration } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['configuration must be a JSON object'] };
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!['afvisAdvarsler', 'antalIndsatsmaal', 'delmaalScore'].includes(key)) errors.push(`unknown key "${key}"`);
  }
  const afvis = raw['afvisAdvarsler'] ?? [];
  if (!Array.isArray(afvis) || afvis.some((r) => !(ADVARSELSREGLER as readonly unknown[]).includes(r))) {
    errors.push(`afvisAdvarsler must be a list of ${ADVARSELSREGLER.join(', ')}`);
  }
  const antal = raw['antalIndsatsmaal'];
  if (antal !== undefined) {
    const a = antal as Record<string, unknown>;
    const ok =
      typeof antal === 'object' &&
      antal !== null &&
      Number.isInteger(a['min']) &&
      Number.isInteger(a['max']) &&
      (a['min'] as number) >= 1 &&
      (a['max'] as number) >= (a['min'] as number);
    if (!ok) errors.push('antalIndsatsmaal must be { "min": integer >= 1, "max": integer >= min }');
  }
  const score = raw['delmaalScore'] ?? 'valgfri';
  if (score !== 'valgfri' && score !== 'paakraevet') errors.push('delmaalScore must be "valgfri" or "paakraevet"');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      afvisAdvarsler: afvis as Advarselsregel[],
      ...(antal === undefined ? {} : { antalIndsatsmaal: antal as { min: number; max: number } }),
      delmaalScore: score as Regelkonfiguration['delmaalScore'],
    },
  };
}
