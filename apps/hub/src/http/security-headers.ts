import helmet from 'helmet';

/**
 * The policy of every response but /ops: the API serves JSON only, which a browser must never run, style or frame.
 * /ops sets its own (OPS_CSP: its inline script and style by hash). No Swagger UI is served, only /openapi.json.
 */
export const API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * helmet's headers on every response, errors included: HSTS (the hub runs behind TLS in production), nosniff,
 * no framing, no referrer, same-origin resource and opener policies; no X-Powered-By.
 */
export const securityHeaders = () =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
  });
