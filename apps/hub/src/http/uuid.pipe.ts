import { Param, type PipeTransform } from '@nestjs/common';
import { erUuid } from '@hub/domain';
import { HttpProblem } from './problem';

class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}
  transform(raw: string): string {
    const value = raw.toLowerCase();
    if (!erUuid(value)) {
      throw new HttpProblem(400, 'HTTP.UGYLDIGT_ID', 'Malformed request', `${this.name} in the path must be a UUID`, [
        { field: this.name, code: 'HTTP.UGYLDIGT_ID', message: 'must be a UUID', expected: 'a UUID' },
      ]);
    }
    return value;
  }
}

/** A UUID path parameter; anything else is a 400 problem naming the parameter. */
export const UuidParam = (name: string) => Param(name, new UuidPipe(name));
