import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { HttpProblem, type ProblemField } from './problem';

function flatten(errors: readonly ValidationError[], prefix = ''): ProblemField[] {
  return errors.flatMap((e) => {
    const field = /^\d+$/.test(e.property)
      ? `${prefix}[${e.property}]`
      : prefix
        ? `${prefix}.${e.property}`
        : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([name, raw]): ProblemField => {
      const message = raw.startsWith(`${e.property} `) ? raw.slice(e.property.length + 1) : raw;
      if (name === 'whitelistValidation')
        return { field, code: 'FELT.UKENDT', message: 'unknown field', expected: 'only the fields the API documents' };
      if (e.value === undefined)
        return {
          field,
          code: 'FELT.PAAKRAEVET',
          message: 'is required',
          expected: message.replace(/^must (be )?/, ''),
        };
      return { field, code: 'FELT.UGYLDIG_TYPE', message, expected: message.replace(/^must (be )?/, '') };
    });
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The validator's options for every body, over HTTP and Kafka alike. */
const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  stopAtFirstError: true,
  validationError: { target: false, value: true },
} as const;
const TRANSFORM_OPTIONS = { enableImplicitConversion: false } as const;

function validationProblem(errors: readonly ValidationError[]): HttpProblem {
  const fields = flatten(errors);
  return new HttpProblem(
    400,
    fields[0]?.code ?? 'HTTP.UGYLDIG_FORESPOERGSEL',
    'Malformed request',
    fields.map((f) => `${f.field}: ${f.message}`).join('; '),
    fields,
  );
}

/**
 * class-validator on every body: unknown fields and wrong types are 400 problems naming each field once. The values
 * are read only to tell a missing field from a wrong one; they are never put in the response or a log.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    transformOptions: TRANSFORM_OPTIONS,
    exceptionFactory: (errors) => validationProblem(errors),
  });
}

/**
 * The same validation outside a request (a command arriving over Kafka): transforms a plain object into the DTO class
 * and validates it as the pipe does, throwing the same HttpProblem.
 */
export async function validateBody<T extends object>(dto: new () => T, plain: Record<string, unknown>): Promise<T> {
  const instance = plainToInstance(dto, plain, TRANSFORM_OPTIONS);
  const errors = await validate(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) throw validationProblem(errors);
  return instance;
}
