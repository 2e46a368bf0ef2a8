import { parseRegelkonfiguration } from './konfiguration';

describe('Regelkonfiguration per kommune', () => {
  it('accepts a valid file and defaults delmaalScore', () => {
    expect(parseRegelkonfiguration({ afvisAdvarsler: ['R-16'], antalIndsatsmaal: { min: 2, max: 3 } })).toEqual({
      ok: true,
      value: { afvisAdvarsler: ['R-16'], antalIndsatsmaal: { min: 2, max: 3 }, delmaalScore: 'valgfri' },
    });
  });
  it('lists every problem in readable lines', () => {
    const result = parseRegelkonfiguration({
      afvisAdvarsler: ['R-01'],
      antalIndsatsmaal: { min: 3, max: 2 },
      delmaalScore: 'ja',
      extra: 1,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'unknown key "extra"',
        'afvisAdvarsler must be a list of R-08, R-16, R-18, R-22',
        'antalIndsatsmaal must be { "min": integer >= 1, "max": integer >= min }',
        'delmaalScore must be "valgfri" or "paakraevet"',
      ],
    });
  });
  it('refuses a non-object', () => {
    expect(parseRegelkonfiguration([])).toEqual({ ok: false, errors: ['configuration must be a JSON object'] });
  });
});
