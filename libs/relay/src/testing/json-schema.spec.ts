import { validateJson } from './json-schema';

const schemas = {
  Kode: {
    type: 'object',
    additionalProperties: false,
    required: ['code'],
    properties: { code: { type: 'string', format: 'uuid' } },
  },
};

describe('the contract tests’ JSON Schema validator', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['kode', 'antal'],
    properties: {
      kode: { $ref: '#/components/schemas/Kode' },
      antal: { type: 'integer', minimum: 0, maximum: 4 },
      dato: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] },
      type: { enum: ['vum', 'delmaal'] },
      plan: { allOf: [{ $ref: '#/components/schemas/Kode' }] },
    },
  };
  const ok = { kode: { code: '3f9da5ac-9686-4eeb-b517-b46e17fcb1d7' }, antal: 2, dato: null, type: 'vum' };

  it('accepts a valid value', () => {
    expect(validateJson(ok, schema, schemas)).toEqual([]);
  });

  it.each([
    ['an extra field', { ...ok, navn: 'Hans' }, /navn/],
    ['a missing field', { kode: ok.kode }, /misses antal/],
    ['a wrong type', { ...ok, antal: '2' }, /expected integer/],
    ['a value out of range', { ...ok, antal: 5 }, /above 4/],
    ['a bad format behind a $ref', { ...ok, kode: { code: 'x' } }, /\$\.kode\.code: is not a uuid/],
    ['no branch of anyOf', { ...ok, dato: '1. marts' }, /anyOf/],
    ['a value outside enum', { ...ok, type: 'andet' }, /not one of/],
    ['a failing allOf branch', { ...ok, plan: { code: 7 } }, /allOf/],
  ])('reports %s', (_name, value, problem) => {
    expect(validateJson(value, schema, schemas).join('\n')).toMatch(problem);
  });

  it('throws on a keyword it does not check, so no schema silently passes', () => {
    expect(() => validateJson({}, { type: 'object', minProperties: 1 }, schemas)).toThrow(/minProperties/);
  });
});
