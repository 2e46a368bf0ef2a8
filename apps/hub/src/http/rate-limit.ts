import { Injectable, type DynamicModule, type ExecutionContext } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { PUBLIC } from '../auth/auth.guard';
import type { Principal } from '../auth/token-verifier';
import type { HubConfig } from '../config';
import { HttpProblem } from './problem';

export const RATE_LIMIT_CODE = 'HTTP.FOR_MANGE_FORESPOERGSLER';
const WINDOW_MS = 60_000;

/**
 * HUB_RATE_LIMIT_PER_MINUTE requests a minute per caller, counted in this instance's memory (with several instances
 * each counts its own share); 0 turns the limit off. A caller over the limit is refused for the rest of the minute.
 */
export function rateLimitModule(config: Pick<HubConfig, 'rateLimitPerMinute'>): DynamicModule {
  return ThrottlerModule.forRoot({
    throttlers: [{ ttl: WINDOW_MS, limit: config.rateLimitPerMinute }],
    skipIf: () => config.rateLimitPerMinute === 0,
  });
}

/**
 * The rate limit per fagsystem: keyed by party and kommunekode or tilbudId (drift by its subject), so one kommune's
 * or tilbud's system cannot starve another's; a request without a principal by its IP. Registered after AuthGuard,
 * whose principal it reads; public routes (health, metrics, /ops) are not limited.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    const open = this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()]);
    return Promise.resolve(context.getType() !== 'http' || open === true);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = (req as { principal?: Principal }).principal;
    if (!principal) return `ip:${await super.getTracker(req)}`;
    return `${principal.party}:${principal.kommunekode ?? principal.tilbudId ?? principal.subject}`;
  }

  /** One count per caller across all routes (the default counts each route apart). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttler: string): string {
    return `${throttler}:${tracker}`;
  }

  protected override throwThrottlingException(_context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, limit.timeToBlockExpire);
    throw new HttpProblem(
      429,
      RATE_LIMIT_CODE,
      'Too many requests',
      `more than ${limit.limit} requests a minute from this caller; retry after ${retryAfter} s`,
      [],
      { 'Retry-After': String(retryAfter) },
    );
  }
}

/** Documents the 429 on every operation that needs a token (the public routes are not limited). */
export function documentRateLimit(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as { responses?: Record<string, unknown> }[]) {
      if (typeof op !== 'object' || op === null || op.responses?.['401'] === undefined) continue;
      op.responses['429'] = {
        description: `More than HUB_RATE_LIMIT_PER_MINUTE requests a minute from this party (${RATE_LIMIT_CODE})`,
        headers: {
          'Retry-After': { description: 'Seconds until the caller may send again', schema: { type: 'integer' } },
        },
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      };
    }
  }
  return document;
}
