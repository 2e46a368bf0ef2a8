import {
  parseRegelfil,
  reglerFor,
  STANDARD_REGLER,
  STANDARD_TAERSKLER,
  taersklerFor,
  TOM_REGELFIL,
} from './konfiguration';

describe('the rules file (Warn rules per kommune, delmål scoring per tilbud)', () => {
  it('accepts a valid file and resolves the rules of a bestilling from its kommune and its tilbud', () => {
    const parsed = parseRegelfil({
      kommuner: { '0101': { afvisAdvarsler: ['R-16'], antalIndsatsmaal: { min: 2, max: 3 } } },
      tilbud: { 'tilbud-4711': { delmaalScore: 'paakraevet' } },
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(reglerFor(parsed.value, '0101', 'tilbud-4711')).toEqual({
      afvisAdvarsler: ['R-16'],
      antalIndsatsmaal: { min: 2, max: 3 },
      delmaalScore: 'paakraevet',
    });
    expect(reglerFor(parsed.value, '0147', 'tilbud-4711')).toEqual({ afvisAdvarsler: [], delmaalScore: 'paakraevet' });
    expect(reglerFor(parsed.value, '0101', 'tilbud-1')).toEqual({
      afvisAdvarsler: ['R-16'],
      antalIndsatsmaal: { min: 2, max: 3 },
      delmaalScore: 'valgfri',
    });
    expect(reglerFor(TOM_REGELFIL, undefined, undefined)).toEqual(STANDARD_REGLER);
  });

  it('lists every problem in readable lines', () => {
    const result = parseRegelfil({
      kommuner: { '101': { afvisAdvarsler: ['R-01'], antalIndsatsmaal: { min: 3, max: 2 }, extra: 1 } },
      tilbud: { t: { delmaalScore: 'ja' } },
      andet: true,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'rules file: unknown key "andet"',
        'kommuner.101: a kommunekode has 4 digits',
        'kommuner.101: unknown key "extra"',
        'kommuner.101.afvisAdvarsler: must be a list of R-08, R-16, R-18, R-22',
        'kommuner.101.antalIndsatsmaal: must be { "min": integer >= 1, "max": integer >= min }',
        'tilbud.t.delmaalScore: must be "valgfri" or "paakraevet"',
      ],
    });
  });

  it('refuses a non-object', () => {
    expect(parseRegelfil([])).toEqual({ ok: false, errors: ['the rules file must be a JSON object'] });
  });
});

describe('tilbagemeldingspligt thresholds in the rules file', () => {
  it("takes a kommune's own, then the file's, then the defaults", () => {
    const parsed = parseRegelfil({
      tilbagemeldingspligt: { kravFristDage: 10, delmaalUdenObservationDage: 7 },
      kommuner: { '0101': { afvisAdvarsler: [], tilbagemeldingspligt: { kravFristDage: 5 } } },
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(taersklerFor(parsed.value, '0101')).toEqual({
      ...STANDARD_TAERSKLER,
      kravFristDage: 5,
      delmaalUdenObservationDage: 7,
    });
    expect(taersklerFor(parsed.value, '0147')).toEqual({
      ...STANDARD_TAERSKLER,
      kravFristDage: 10,
      delmaalUdenObservationDage: 7,
    });
    expect(taersklerFor(TOM_REGELFIL, '0101')).toEqual(STANDARD_TAERSKLER);
  });

  it('keeps T2 within the history the rules keep, a trend to two scores at least, and escalation after reminder', () => {
    expect(
      parseRegelfil({
        tilbagemeldingspligt: { t2EvalueringerUdenFremgang: 13, t2ScoreVindue: 1 },
      }),
    ).toEqual({
      ok: false,
      errors: [
        'tilbagemeldingspligt.t2EvalueringerUdenFremgang: must be an integer from 1 to 12',
        'tilbagemeldingspligt.t2ScoreVindue: must be an integer from 2 to 12',
      ],
    });
    expect(
      parseRegelfil({
        kommuner: { '0101': { afvisAdvarsler: [], tilbagemeldingspligt: { kvitteringEskaleringDage: 3 } } },
      }),
    ).toEqual({
      ok: false,
      errors: [
        'kommuner.0101.tilbagemeldingspligt: kvitteringEskaleringDage (3) must be after kvitteringPaamindelseDage (3)',
      ],
    });
  });

  it('refuses unknown thresholds and values that are not whole days', () => {
    const result = parseRegelfil({
      tilbagemeldingspligt: { kravFrist: 3 },
      kommuner: { '0101': { tilbagemeldingspligt: { kravFristDage: 0, t2ScoreVindue: 2.5 } } },
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'tilbagemeldingspligt: unknown key "kravFrist"',
        'kommuner.0101.tilbagemeldingspligt.t2ScoreVindue: must be an integer from 2 to 12',
        'kommuner.0101.tilbagemeldingspligt.kravFristDage: must be an integer from 1 to 3650',
      ],
    });
  });
});
