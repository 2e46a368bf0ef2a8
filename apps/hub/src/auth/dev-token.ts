import { SignJWT } from 'jose';

export interface DevTokenRequest {
  readonly party: 'myndighed' | 'udfoerer';
  /** kommunekode for a myndighed, tilbudId for an udfører. */
  readonly id: string;
  readonly sub?: string;
  readonly purpose?: string;
  readonly expiresIn?: string | number;
}

/** An HS256 token with the hub's claims, for development and tests (production tokens come from the OIDC issuer). */
export async function mintDevToken(secret: Buffer, request: DevTokenRequest): Promise<string> {
  const claims = {
    party: request.party,
    ...(request.party === 'myndighed' ? { kommunekode: request.id } : { tilbudId: request.id }),
    ...(request.purpose ? { purpose: request.purpose } : {}),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(
      request.sub ?? (request.party === 'myndighed' ? `sagsbehandler@${request.id}` : `fagsystem@${request.id}`),
    )
    .setIssuedAt()
    .setExpirationTime(request.expiresIn ?? '8h')
    .sign(secret);
}
