import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config';
import type { Actor } from '../commands/access';
import { HttpProblem } from '../http/problem';

/** The caller as the token says: a party, its kommune or tilbud, the system or person (`sub`), and a purpose. */
export interface Principal extends Actor {
  readonly purpose?: string;
}

const unauthorized = (code: string, detail: string) =>
  new HttpProblem(401, code, 'Not authenticated', detail, [], {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${detail}"`,
  });

/** Checks the claims of design.md §5 and turns them into a Principal. */
export function principalFromClaims(claims: JWTPayload): Principal {
  const party = claims['party'];
  const sub = claims.sub;
  const purpose = typeof claims['purpose'] === 'string' ? { purpose: claims['purpose'] } : {};
  if (typeof sub !== 'string' || sub === '') throw unauthorized('AUTH.UGYLDIGE_CLAIMS', 'the token has no sub');
  if (party === 'myndighed' || party === 'analytiker') {
    const kommunekode = claims['kommunekode'];
    if (typeof kommunekode !== 'string' || !/^\d{4}$/.test(kommunekode))
      throw unauthorized('AUTH.UGYLDIGE_CLAIMS', `the ${party} token needs a 4-digit kommunekode`);
    return { party, subject: sub, kommunekode, ...purpose };
  }
  if (party === 'udfoerer') {
    const tilbudId = claims['tilbudId'];
    if (typeof tilbudId !== 'string' || tilbudId === '')
      throw unauthorized('AUTH.UGYLDIGE_CLAIMS', 'an udfører token needs a tilbudId');
    return { party, subject: sub, tilbudId, ...purpose };
  }
  // Operations: no scope claim, and any the token carries is not taken over (drift sees nothing personal anyway).
  if (party === 'drift') return { party, subject: sub, ...purpose };
  throw unauthorized(
    'AUTH.UGYLDIGE_CLAIMS',
    'the token party must be "myndighed", "udfoerer", "analytiker" or "drift"',
  );
}

export interface TokenVerifier {
  verify(authorization: string | undefined): Promise<Principal>;
}

/**
 * HS256 with a shared secret in development and tests; in production an OIDC issuer: its discovery document gives the
 * JWKS, fetched and cached by jose, which refetches on an unknown `kid` (key rotation); issuer and audience checked.
 */
export function createTokenVerifier(
  config: AuthConfig,
  options: { readonly fetch?: typeof fetch; readonly jwksCooldownMs?: number } = {},
): TokenVerifier {
  const fetchImpl = options.fetch ?? fetch;
  // jose refetches the JWKS on an unknown kid, at most once per cooldown (30 s by default).
  const jwksOptions = options.jwksCooldownMs === undefined ? {} : { cooldownDuration: options.jwksCooldownMs };
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const oidcKeys = async (issuer: string, jwksUri: string | undefined): Promise<JWTVerifyGetKey> => {
    if (jwksUri) return createRemoteJWKSet(new URL(jwksUri), jwksOptions);
    const res = await fetchImpl(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`OIDC discovery at ${issuer} answered ${res.status}`);
    const doc = (await res.json()) as { jwks_uri?: string; issuer?: string };
    if (!doc.jwks_uri) throw new Error(`OIDC discovery at ${issuer} has no jwks_uri`);
    return createRemoteJWKSet(new URL(doc.jwks_uri), jwksOptions);
  };
  return {
    async verify(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!match) throw unauthorized('AUTH.MANGLER_TOKEN', 'send Authorization: Bearer <JWT>');
      const token = match[1] as string;
      try {
        if (config.mode === 'hs256') {
          const { payload } = await jwtVerify(token, config.secret, { algorithms: ['HS256'], requiredClaims: ['exp'] });
          return principalFromClaims(payload);
        }
        keys ??= oidcKeys(config.issuer, config.jwksUri).catch((error: unknown) => {
          keys = undefined;
          throw error;
        });
        const { payload } = await jwtVerify(token, await keys, {
          issuer: config.issuer,
          audience: config.audience,
          requiredClaims: ['exp'],
        });
        return principalFromClaims(payload);
      } catch (error) {
        if (error instanceof HttpProblem) throw error;
        if (error instanceof errors.JWTExpired) throw unauthorized('AUTH.UDLOEBET', 'the token has expired');
        if (error instanceof errors.JOSEError) throw unauthorized('AUTH.UGYLDIGT_TOKEN', 'the token is not valid');
        throw new HttpProblem(
          503,
          'AUTH.IDP_UTILGAENGELIG',
          'Service unavailable',
          'the identity provider could not be reached',
        );
      }
    },
  };
}
