import {
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { assertRouteParty, PARTIES } from './parties';
import type { Principal, TokenVerifier } from './token-verifier';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
export const PUBLIC = 'ffb-hub:public';

/** Marks a route that needs no token (health, metrics, API documents). */
export const Public = () => SetMetadata(PUBLIC, true);

export type AuthenticatedRequest = Request & { principal?: Principal };

/** Every route needs a valid token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    req.principal = await this.verifier.verify(req.headers.authorization);
    assertRouteParty(
      req.principal.party,
      this.reflector.getAllAndOverride(PARTIES, [context.getHandler(), context.getClass()]),
    );
    return true;
  }
}

/** The authenticated caller of the request. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('Caller used on a @Public() route');
  return principal;
});
