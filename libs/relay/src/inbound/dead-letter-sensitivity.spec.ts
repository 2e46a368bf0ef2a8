import { deadLetterSensitivity } from './inbound-consumer';

describe('the sensitivity of a dead letter', () => {
  const message = (type: string | undefined, value: string | null) => ({
    headers: (type === undefined ? {} : { ce_type: type }) as Record<string, string>,
    value: value === null ? null : Buffer.from(value),
  });
  it('is fortrolig-cpr for an afgivelse, also one with a wrong type or no type that carries a cpr field', () => {
    expect(deadLetterSensitivity(message('dk.ffb.kommando.afgivbestilling.v1', '{'))).toBe('fortrolig-cpr');
    expect(deadLetterSensitivity(message(undefined, '{"cpr": "0101704321"}'))).toBe('fortrolig-cpr');
    expect(deadLetterSensitivity(message('dk.ffb.kommando.kvitterbestilling.v1', '{"cpr":"x"}'))).toBe('fortrolig-cpr');
  });
  it('is fortrolig otherwise', () => {
    expect(deadLetterSensitivity(message('dk.ffb.kommando.kvitterbestilling.v1', '{"bestillingId":"b"}'))).toBe(
      'fortrolig',
    );
    expect(deadLetterSensitivity(message(undefined, null))).toBe('fortrolig');
  });
});
