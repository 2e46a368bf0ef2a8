/**
 * A JSON Schema validator for the keywords the hub's message schemas use, for contract tests. It throws on any other
 * keyword, so a schema cannot rely on a check this validator silently skips.
 */
export type Schema = Readonly<Record<string, unknown>>;

const KNOWN = new Set([
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'allOf',
  'oneOf',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'maxLength',
  'minItems',
  'maxItems',
  'description',
  'title',
  'example',
  'examples',
  'nullable',
]);

const FORMATS: Record<string, (value: string) => boolean> = {
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v)),
  'uri-reference': (v) => !/\s/.test(v),
};

const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number' && Number.isInteger(value)
        ? 'integer'
        : typeof value;

/** Every problem found, as `path: message`; empty when the value is valid. */
export function validateJson(
  value: unknown,
  schema: Schema,
  schemas: Readonly<Record<string, Schema>>,
  path = '$',
): string[] {
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword)) throw new Error(`${path}: schema keyword "${keyword}" is not supported by this validator`);
  }
  if (typeof schema.$ref === 'string') {
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name === undefined ? undefined : schemas[name];
    if (!target) throw new Error(`${path}: unresolvable $ref ${schema.$ref}`);
    return validateJson(value, target, schemas, path);
  }
  const problems: string[] = [];
  const fail = (message: string): void => {
    problems.push(`${path}: ${message}`);
  };
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const actual = typeOf(value);
    const ok = types.includes(actual) || (actual === 'integer' && types.includes('number'));
    if (!ok) return [`${path}: is ${actual}, expected ${types.join(' or ')}`];
  }
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) {
    fail(`is ${JSON.stringify(value)}, expected ${JSON.stringify(schema.const)}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((v) => JSON.stringify(v) === JSON.stringify(value))) {
    fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  for (const [keyword, need] of [
    ['anyOf', (n: number) => n >= 1],
    ['oneOf', (n: number) => n === 1],
    ['allOf', (n: number, all: number) => n === all],
  ] as const) {
    const options = schema[keyword];
    if (Array.isArray(options)) {
      const passing = options.filter((option) => validateJson(value, option as Schema, schemas, path).length === 0);
      if (!need(passing.length, options.length)) fail(`matches ${passing.length} of the ${keyword} schemas`);
    }
  }
  if (typeof value === 'string') {
    if (typeof schema.format === 'string') {
      const check = FORMATS[schema.format];
      if (!check) throw new Error(`${path}: format ${schema.format} is not supported by this validator`);
      if (!check(value)) fail(`is not a ${schema.format}`);
    }
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      fail(`does not match ${schema.pattern}`);
    }
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) fail('is too long');
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`is below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`is above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('has too few items');
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) fail('has too many items');
    if (schema.items) {
      value.forEach((item, i) =>
        problems.push(...validateJson(item, schema.items as Schema, schemas, `${path}[${i}]`)),
      );
    }
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) if (!(name in object)) fail(`misses ${name}`);
    for (const [name, propertyValue] of Object.entries(object)) {
      const property = properties[name];
      if (property) problems.push(...validateJson(propertyValue, property, schemas, `${path}.${name}`));
      else if (schema.additionalProperties === false) fail(`has ${name}, which the schema does not allow`);
    }
  }
  return problems;
}
