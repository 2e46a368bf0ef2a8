import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { createTokenVerifier } from './token-verifier';

/** A minimal OIDC issuer on loopback: discovery document and a JWKS whose keys the test rotates. */
async function startIssuer() {
  let keys: JWK[] = [];
  let jwksFetches = 0;
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
    }
    if (req.url === '/jwks') {
      jwksFetches++;
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ keys }));
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const newKey = async (kid: string) => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  };
  return {
    issuer,
    newKey,
    publish: (jwks: JWK[]) => (keys = jwks),
    fetches: () => jwksFetches,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const sign = (key: { kid: string; privateKey: KeyLike }, claims: Record<string, unknown>, iss: string, aud: string) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(iss)
    .setAudience(aud)
    .setSubject('incorp@0101')
    .setExpirationTime('5m')
    .sign(key.privateKey);

describe('OIDC token verification against an issuer on loopback', () => {
  let idp: Awaited<ReturnType<typeof startIssuer>>;
  beforeAll(async () => (idp = await startIssuer()));
  afterAll(() => idp.close());

  it('accepts a token from the issuer for the audience, follows key rotation, refuses other issuers and audiences', async () => {
    const k1 = await idp.newKey('k1');
    idp.publish([k1.jwk]);
    const verifier = createTokenVerifier(
      { mode: 'oidc', issuer: idp.issuer, audience: 'ffb-hub' },
      { jwksCooldownMs: 0 },
    );
    const claims = { party: 'myndighed', kommunekode: '0101' };

    await expect(verifier.verify(`Bearer ${await sign(k1, claims, idp.issuer, 'ffb-hub')}`)).resolves.toEqual({
      party: 'myndighed',
      subject: 'incorp@0101',
      kommunekode: '0101',
    });

    const k2 = await idp.newKey('k2');
    idp.publish([k2.jwk]);
    const before = idp.fetches();
    await expect(verifier.verify(`Bearer ${await sign(k2, claims, idp.issuer, 'ffb-hub')}`)).resolves.toMatchObject({
      kommunekode: '0101',
    });
    expect(idp.fetches()).toBe(before + 1);
    await expect(verifier.verify(`Bearer ${await sign(k1, claims, idp.issuer, 'ffb-hub')}`)).rejects.toMatchObject({
      status: 401,
      code: 'AUTH.UGYLDIGT_TOKEN',
    });

    await expect(verifier.verify(`Bearer ${await sign(k2, claims, idp.issuer, 'another-api')}`)).rejects.toMatchObject({
      status: 401,
      code: 'AUTH.UGYLDIGT_TOKEN',
    });
    await expect(
      verifier.verify(`Bearer ${await sign(k2, claims, 'http://evil.example', 'ffb-hub')}`),
    ).rejects.toMatchObject({ status: 401, code: 'AUTH.UGYLDIGT_TOKEN' });
    await expect(
      verifier.verify(`Bearer ${await sign(k2, { party: 'myndighed' }, idp.issuer, 'ffb-hub')}`),
    ).rejects.toMatchObject({ status: 401, code: 'AUTH.UGYLDIGE_CLAIMS' });
  });

  it('an unreachable identity provider is a 503, not a 401 or a 500', async () => {
    const verifier = createTokenVerifier({ mode: 'oidc', issuer: 'http://127.0.0.1:1', audience: 'ffb-hub' });
    const k = await idp.newKey('kx');
    await expect(
      verifier.verify(
        `Bearer ${await sign(k, { party: 'myndighed', kommunekode: '0101' }, 'http://127.0.0.1:1', 'ffb-hub')}`,
      ),
    ).rejects.toMatchObject({
      status: 503,
      code: 'AUTH.IDP_UTILGAENGELIG',
    });
  });
});
