import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { Transform, Type } from 'class-transformer';

/** Upper bounds that keep one request's work small; the body limit bounds the rest. */
export const MAX_TEKST = 20_000;
export const MAX_LISTE = 100;

type Opt = { readonly optional?: boolean; readonly description: string; readonly example?: unknown };
const doc = (o: Opt, extra: Record<string, unknown> = {}) =>
  o.optional
    ? ApiPropertyOptional({ description: o.description, example: o.example, ...extra })
    : ApiProperty({ description: o.description, example: o.example, ...extra });
const optional = (o: Opt) => (o.optional ? [IsOptional()] : []);

/** Ids and codes are UUIDs in lower case everywhere in the hub (the path pipe does the same), so one id is one stream. */
const lowerCase = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value.toLowerCase()
    : Array.isArray(value)
      ? value.map((v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v))
      : value,
);

export const Uuid = (o: Opt) =>
  applyDecorators(
    doc(o, { format: 'uuid', type: String }),
    ...optional(o),
    lowerCase,
    IsUUID('all', { message: 'must be a UUID' }),
  );

export const Uuider = (o: Opt) =>
  applyDecorators(
    doc(o, { type: [String], format: 'uuid' }),
    ...optional(o),
    lowerCase,
    IsArray({ message: 'must be a list of UUIDs' }),
    ArrayMaxSize(MAX_LISTE),
    IsUUID('all', { each: true, message: 'must be a list of UUIDs' }),
  );
export const Tekst = (o: Opt) =>
  applyDecorators(
    doc(o, { type: String, maxLength: MAX_TEKST }),
    ...optional(o),
    IsString({ message: 'must be a text' }),
    MaxLength(MAX_TEKST),
  );
export const Dato = (o: Opt) =>
  applyDecorators(
    doc(o, { type: String, format: 'date' }),
    ...optional(o),
    IsString({ message: 'must be a date as YYYY-MM-DD' }),
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date as YYYY-MM-DD' }),
  );
export const Tidspunkt = (o: Opt) =>
  applyDecorators(
    doc(o, { type: String, format: 'date-time' }),
    ...optional(o),
    IsString({ message: 'must be an ISO-8601 timestamp' }),
    MaxLength(40),
  );
export const Heltal = (o: Opt) =>
  applyDecorators(doc(o, { type: Number }), ...optional(o), IsInt({ message: 'must be an integer' }));
export const Sandhed = (o: Opt) =>
  applyDecorators(doc(o, { type: Boolean }), ...optional(o), IsBoolean({ message: 'must be true or false' }));
export const EnAf = (values: readonly string[], o: Opt) =>
  applyDecorators(
    doc(o, { enum: values }),
    ...optional(o),
    IsIn(values as string[], { message: `must be one of ${values.join(', ')}` }),
  );

/** An FFB code (UUID string); the domain checks it against the catalog. */
export const FfbKode = (o: Opt) =>
  applyDecorators(
    doc(o, { type: String, format: 'uuid' }),
    ...optional(o),
    lowerCase,
    IsString({ message: 'must be an FFB code (UUID)' }),
    MaxLength(64),
  );

export const FfbKoder = (o: Opt) =>
  applyDecorators(
    doc(o, { type: [String] }),
    ...optional(o),
    lowerCase,
    IsArray({ message: 'must be a list of FFB codes' }),
    ArrayMaxSize(MAX_LISTE),
    IsString({ each: true, message: 'must be a list of FFB codes' }),
    MaxLength(64, { each: true }),
  );

function isStringOrStrings(value: unknown): boolean {
  const code = (v: unknown) => typeof v === 'string' && v.length <= 64;
  return code(value) || (Array.isArray(value) && value.length <= MAX_LISTE && value.every(code));
}

/**
 * A field that holds exactly one FFB code by rule. A list is accepted here so the domain can refuse
 * it with the rule's own code, as it does for the same message over Kafka.
 */
export const EnFfbKode = (o: Opt, options?: ValidationOptions) =>
  applyDecorators(
    doc(o, {
      type: String,
      format: 'uuid',
      description: `${o.description} Exactly one code; a list is refused with the rule that demands one.`,
    }),
    ...optional(o),
    lowerCase,
    ValidateBy(
      {
        name: 'isStringOrStrings',
        validator: { validate: isStringOrStrings, defaultMessage: () => 'must be an FFB code (UUID)' },
      },
      options,
    ),
  );

export const Liste = (type: () => new () => object, o: Opt & { readonly max?: number }) =>
  applyDecorators(
    doc(o, { type: [type()] }),
    ...optional(o),
    IsArray({ message: 'must be a list' }),
    ArrayMaxSize(o.max ?? MAX_LISTE),
    ValidateNested({ each: true }),
    Type(type),
  );

export const Objekt = (type: () => new () => object, o: Opt) =>
  applyDecorators(doc(o, { type: type() }), ...optional(o), ValidateNested(), Type(type));
