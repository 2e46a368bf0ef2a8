import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem';

/**
 * Requests Node's HTTP parser refuses before express sees them (a control character in a header, a malformed request
 * line, headers too large) get a problem+json like every other error, instead of Node's bare `400 Bad Request`.
 */
export function answerMalformedRequests(server: Server): void {
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser goes on reading what the client still sends (a large body) and fails again on it: the answer is
    // already on its way, and destroying the socket now would throw it away unsent (found by the campaign).
    if (answered.has(socket)) return;
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const code = 'HTTP.UGYLDIG_FORESPOERGSEL';
    const body = JSON.stringify({
      type: problemType(code),
      title: 'Malformed request',
      status,
      detail:
        status === 431
          ? 'the request headers are larger than the hub accepts'
          : 'the request is not valid HTTP (e.g. a control character in a header)',
      code,
      errors: [],
    });
    answered.add(socket);
    // Closed once the client has read the answer and hung up, or after a few seconds at the latest.
    setTimeout(() => socket.destroy(), 5_000).unref();
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
