// One error shape for every REST answer: `{statusCode, code, error, message, details?}` (schemas/Research.ts
// ApiError). `code` is the stable catalogue code (STYLE.md "Errors"); `error` the HTTP reason phrase.
import { STATUS_CODES } from 'node:http';
import {
  type ApiError,
  type ErrorCode,
  errorCatalogue,
  isErrorCode,
  isProtocolError,
  type ProtocolError,
} from '@datagraph/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';

export function apiError(
  code: ErrorCode,
  message?: string,
  details?: Record<string, unknown>,
  status?: number,
): ApiError {
  const statusCode = status ?? errorCatalogue[code].status;
  return {
    statusCode,
    code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: message ?? errorCatalogue[code].message,
    ...(details ? { details } : {}),
  };
}

export function fromProtocolError(e: ProtocolError): ApiError {
  return apiError(e.code, e.message, e.details);
}

/** Map anything thrown in a route to the one error shape; never leaks internals. */
export function toApiError(err: unknown, log: Logger): ApiError {
  if (isProtocolError(err)) return fromProtocolError(err);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const problems = err.validation.map((v) => `${v.instancePath || '(root)'}: ${v.message}`);
    return apiError('PR_SCHEMA', `request does not match the schema: ${problems.slice(0, 5).join('; ')}`, {
      problems,
    });
  }
  const e = err as FastifyError;
  // Our own shape thrown by a plugin (the rate limiter's errorResponseBuilder): kept as it is.
  if (typeof e.code === 'string' && isErrorCode(e.code) && typeof e.statusCode === 'number')
    return apiError(e.code, e.message, undefined, e.statusCode);
  if (e.statusCode === 429) return apiError('GW_RATE_LIMITED');
  if (e.statusCode === 413) return apiError('GW_PAYLOAD_TOO_LARGE', e.message);
  if (e.statusCode === 404) return apiError('GW_NOT_FOUND', e.message);
  if (e.statusCode && e.statusCode < 500) {
    // fastify's own 4xx: an unparseable body (FST_ERR_CTP_*), a bad content type. Kept as before (issue 5).
    return apiError('PR_INVALID_JSON', e.message, undefined, e.statusCode);
  }
  log.error({ err: e.message }, 'http: internal error');
  return apiError('GW_INTERNAL');
}

export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err, _req, reply) => {
    const body = toApiError(err, log);
    return reply.status(body.statusCode).send(body);
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send(apiError('GW_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
}
