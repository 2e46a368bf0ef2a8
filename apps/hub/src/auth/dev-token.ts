import { SignJWT } from 'jose';
import type { Party } from '../commands/access';

export interface DevTokenRequest {
  readonly party: Party;
  /** kommunekode for a myndighed or an analytiker, tilbudId for an udfører; none for drift. */
  readonly id?: string;
  readonly sub?: string;
  readonly purpose?: string;
  readonly expiresIn?: string | number;
}

const SCOPE_CLAIM: Record<Party, 'kommunekode' | 'tilbudId' | null> = {
  myndighed: 'kommunekode',
  analytiker: 'kommunekode',
  udfoerer: 'tilbudId',
  drift: null,
};

const DEFAULT_SUB: Record<Party, string> = {
  myndighed: 'sagsbehandler',
  analytiker: 'analytiker',
  udfoerer: 'fagsystem',
  drift: 'drift',
};

/** An HS256 token with the hub's claims, for development and tests (production tokens come from the OIDC issuer). */
export async function mintDevToken(secret: Buffer, request: DevTokenRequest): Promise<string> {
  const scopeClaim = SCOPE_CLAIM[request.party];
  const claims = {
    party: request.party,
    ...(scopeClaim && request.id !== undefined ? { [scopeClaim]: request.id } : {}),
    ...(request.purpose ? { purpose: request.purpose } : {}),
  };
  const sub = DEFAULT_SUB[request.party];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.sub ?? (request.id === undefined ? sub : `${sub}@${request.id}`))
    .setIssuedAt()
    .setExpirationTime(request.expiresIn ?? '8h')
    .sign(secret);
}
