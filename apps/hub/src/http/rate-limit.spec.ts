import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ConfigError, loadConfig } from '../config';
import { documentRateLimit, RATE_LIMIT_CODE } from './rate-limit';

describe('HUB_RATE_LIMIT_PER_MINUTE', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hub-rate-limit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const problems = (value: string): string[] => {
    try {
      loadConfig({ HUB_DATA_DIR: dir, HUB_RATE_LIMIT_PER_MINUTE: value });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('defaults to 6000 requests a minute per party; 0 turns the limit off', () => {
    expect(loadConfig({ HUB_DATA_DIR: dir }).rateLimitPerMinute).toBe(6000);
    expect(loadConfig({ HUB_DATA_DIR: dir, HUB_RATE_LIMIT_PER_MINUTE: '5' }).rateLimitPerMinute).toBe(5);
    expect(loadConfig({ HUB_DATA_DIR: dir, HUB_RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute).toBe(0);
  });

  it.each(['-1', '1.5', 'many', '', ' '])('refuses %j, naming the variable', (value) => {
    expect(problems(value)).toEqual([
      `HUB_RATE_LIMIT_PER_MINUTE must be an integer >= 0 (requests a minute per party; 0 turns the limit off), got "${value}"`,
    ]);
  });
});

describe('documentRateLimit', () => {
  it('adds the 429 with Retry-After to the operations that need a token, not to public ones', () => {
    const doc = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/myndighed/bestillinger': {
          get: { responses: { '200': { description: 'ok' }, '401': { description: 'no' } } },
        },
        '/offentlig': { get: { responses: { '200': { description: 'ok' } } } },
      },
    } as unknown as OpenAPIObject;
    const responses = (path: string): Record<string, unknown> =>
      documentRateLimit(doc).paths[path]?.get?.responses ?? {};
    expect(responses('/myndighed/bestillinger')['429']).toMatchObject({
      description: expect.stringContaining(RATE_LIMIT_CODE),
      headers: { 'Retry-After': { schema: { type: 'integer' } } },
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
    });
    expect(responses('/offentlig')['429']).toBeUndefined();
  });
});
