import type { AuthConfig } from '../config';
import { HttpProblem } from '../http/problem';

/** What the log says when a development caller (HS256) names no purpose. */
export const UDEN_FORMAAL = 'ikke angivet';

// C0 and C1 control characters, DEL included.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

const ugyldigt = (source: string) =>
  new HttpProblem(
    400,
    'AUTH.UGYLDIGT_FORMAAL',
    'Malformed request',
    `the ${source} must be 1–200 characters without control characters`,
    [{ field: source, code: 'AUTH.UGYLDIGT_FORMAAL', message: '1–200 characters, no control characters' }],
  );

/**
 * The purpose of a use of a borger's data (CJEU C-579/21): the token's `purpose` claim, else the `Purpose` header
 * (HTTP) or `ffb_purpose` header (Kafka). Without one, production (OIDC) refuses with 400 `AUTH.FORMAAL_MANGLER`;
 * development records `ikke angivet`.
 */
export function resolvePurpose(
  mode: AuthConfig['mode'],
  fromToken: string | undefined,
  fromHeader: string | string[] | undefined,
  headerName = 'Purpose',
): string {
  if (fromToken !== undefined) {
    if (fromToken.length < 1 || fromToken.length > 200 || CONTROL.test(fromToken)) throw ugyldigt('purpose claim');
    return fromToken;
  }
  if (Array.isArray(fromHeader)) throw ugyldigt(`${headerName} header`);
  if (fromHeader !== undefined) {
    if (fromHeader.length < 1 || fromHeader.length > 200 || CONTROL.test(fromHeader))
      throw ugyldigt(`${headerName} header`);
    return fromHeader;
  }
  if (mode === 'oidc')
    throw new HttpProblem(
      400,
      'AUTH.FORMAAL_MANGLER',
      'Malformed request',
      `a request that touches a borger must state its purpose: a purpose claim in the token or a ${headerName} header`,
      [{ field: headerName, code: 'AUTH.FORMAAL_MANGLER', message: 'required in production' }],
    );
  return UDEN_FORMAAL;
}
