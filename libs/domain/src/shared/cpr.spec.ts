import { erGyldigtCpr, normaliserCpr } from './cpr';

describe('CPR-nummer', () => {
  it.each(['0101704321', '010170-4321', '2902004000', '3112999999', '0101374000'])('%s is valid', (cpr) => {
    expect(erGyldigtCpr(cpr)).toBe(true);
  });
  it.each([
    ['3202701234', 'day 32'],
    ['0113701234', 'month 13'],
    ['2902014000', '29 Feb in 2001 (seventh digit 4, year 01 → 2001)'],
    ['2902011234', '29 Feb 1901'],
    ['01017012345', 'eleven digits'],
    ['0101-704321', 'dash in the wrong place'],
    [101704321, 'a number, not a string'],
  ] as [unknown, string][])('%s is invalid (%s)', (cpr) => {
    expect(erGyldigtCpr(cpr)).toBe(false);
  });
  it('normalises the dashed form', () => {
    expect(normaliserCpr('010170-4321')).toBe('0101704321');
  });
});
