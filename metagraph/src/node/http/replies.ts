// How every listener answers: JSON with bigints written as plain JSON integers (Tessellation writes amounts
// as numbers), and errors as Tessellation's ErrorResponse `{errors: [{message}]}` with our stable codes added:
// `{code, message, errors: [{code, message, ...}]}`. Fastify's own errors (body too large, bad JSON, wrong
// content type) are mapped to codes too, so bad input always gets a clear answer and the node keeps serving.
import { type ErrorCode, errorCatalogue, isProtocolError, ProtocolError } from '@datagraph/protocol';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';

const BIG = '__bigint__';

/** JSON text in which bigints appear as integers (JSON has no size limit on numbers). */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${BIG}${v.toString()}` : v));
  return text.replace(new RegExp(`"${BIG}(-?[0-9]+)"`, 'g'), '$1');
}

export function sendJson(reply: FastifyReply, value: unknown, status = 200): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(jsonText(value));
}

export function errorBody(e: ProtocolError): Record<string, unknown> {
  const listed = Array.isArray(e.details?.errors) ? (e.details.errors as Record<string, unknown>[]) : undefined;
  const errors = listed ?? [
    { code: e.code, message: e.message, ...(e.details?.problems ? { issues: e.details.problems } : {}) },
  ];
  return { code: e.code, message: e.message, errors };
}

export function sendError(reply: FastifyReply, e: ProtocolError): FastifyReply {
  return sendJson(reply, errorBody(e), e.status);
}

export function notFound(what: string): ProtocolError {
  return new ProtocolError('MG_NOT_FOUND', `${what} not found`);
}

function fromFastify(err: FastifyError): ProtocolError {
  const code = err.code ?? '';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ProtocolError('MG_BODY_TOO_LARGE', `request body is over this endpoint's limit`);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ProtocolError('MG_UNSUPPORTED_MEDIA_TYPE');
  if (
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    err instanceof SyntaxError ||
    err.statusCode === 400
  ) {
    return new ProtocolError('PR_INVALID_JSON', `request body is not valid JSON: ${err.message}`);
  }
  const status = err.statusCode ?? 500;
  const mapped: ErrorCode = status === 404 ? 'MG_NOT_FOUND' : status < 500 ? 'MG_BAD_REQUEST' : 'MG_INTERNAL';
  return new ProtocolError(mapped, status < 500 ? err.message : errorCatalogue.MG_INTERNAL.message, { cause: err });
}

/** Error and not-found handlers shared by the node's listeners. */
export function installReplies(app: FastifyInstance, log: Logger): void {
  // Bodies are JSON only (dag4 sends application/json); anything else is a 415 with a code.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const e = isProtocolError(err) ? err : fromFastify(err);
    if (e.status >= 500) log.error({ err, url: request.url }, 'request failed');
    else log.debug({ code: e.code, url: request.url }, 'request refused');
    return sendError(reply, e);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new ProtocolError('MG_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
