import type { Socket } from 'node:net';
import { ApiError, errors } from '../api/errors.js';

/**
 * Answers for requests Node's own HTTP/1.1 parser refuses before any handler sees them (an
 * unknown method, headers past its size limit, bytes that are not HTTP), written as Status
 * bodies like every other error of the server instead of Node's bare 400/431. Where Node has
 * already answered or the connection is gone there is nothing left to write.
 */

/** The Status for a parser error code (`HPE_INVALID_METHOD`, `HPE_HEADER_OVERFLOW`, ...). */
export function parserErrorStatus(code: string | undefined): ApiError {
  switch (code) {
    case 'HPE_INVALID_METHOD':
      // Go's server accepts any token as a method, and kube-apiserver then refuses it with 405.
      return new ApiError({
        code: 405,
        reason: 'MethodNotAllowed',
        message: 'the server does not allow this method on the requested resource',
      });
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError({ code: 431, reason: '', message: 'the request headers are too large' });
    default:
      return errors.badRequest('the request could not be parsed as HTTP/1.1');
  }
}

/** Writes the Status for a parser error on the raw socket and closes it; a no-op if that is not possible. */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
    // Gone, or a response was already started on this connection: nothing may be written.
    socket.destroy();
    return;
  }
  // A reset, or a renegotiation the server refuses (secure-server.ts): no HTTP answer fits.
  if (error.code === 'ECONNRESET' || error.code === 'ERR_TLS_RENEGOTIATION_DISABLED') {
    socket.destroy();
    return;
  }
  const status = parserErrorStatus(error.code);
  const body = JSON.stringify(status.status);
  const reason =
    status.code === 431
      ? 'Request Header Fields Too Large'
      : status.code === 405
        ? 'Method Not Allowed'
        : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status.code} ${reason}\r\n` +
      'Content-Type: application/json\r\n' +
      'Cache-Control: no-cache, private\r\n' +
      'X-Content-Type-Options: nosniff\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
