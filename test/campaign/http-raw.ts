import { connect } from 'node:net';

/** A request as bytes: header values may hold what fetch and node:http refuse to send (control characters, CR/LF). */
export interface RawRequest {
  readonly method: string;
  /** Sent as is: the caller encodes (or deliberately does not). */
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [name: string, value: string | Buffer]>;
  readonly body?: Buffer;
}

export interface RawResponse {
  readonly status: number;
  /** Lower-cased names; the last value wins. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * One request over its own TCP connection (`Connection: close`), answered or not: resolves with the response, or with
 * the reason there was none. A server that answers before it has read the whole body (413) and then closes is an
 * answer, even though our write fails.
 */
export async function rawRequest(
  port: number,
  request: RawRequest,
  timeoutMs = 30_000,
): Promise<RawResponse | { error: string }> {
  const lines: Buffer[] = [
    Buffer.from(`${request.method} ${request.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n`),
  ];
  for (const [name, value] of request.headers) {
    lines.push(
      Buffer.from(`${name}: `),
      Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  if (request.body !== undefined) lines.push(Buffer.from(`Content-Length: ${request.body.length}\r\n`));
  lines.push(Buffer.from('\r\n'));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect(port, '127.0.0.1');
    const finish = (why?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(chunks);
      const parsed = parseResponse(data);
      resolve(
        parsed ?? { error: why ?? `no HTTP response (${data.length} bytes: ${data.subarray(0, 80).toString()})` },
      );
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // EPIPE/ECONNRESET after the server answered early: what was read still counts.
    socket.on('error', (error) => setTimeout(() => finish(error.message), 50));
    socket.write(Buffer.concat(lines));
    if (request.body !== undefined && request.body.length > 0) socket.write(request.body);
  });
}

function parseResponse(data: Buffer): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = data.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status: Number(match[1]), headers, body };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
