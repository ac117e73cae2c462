/** Typed errors of the domain; `shared/http` turns them into problem+json (or an HTML page). */

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** Base of every error that has a defined answer for the caller. */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  readonly headers: Record<string, string> = {};
  /** The locale of the invitation the refusal is about, when known: its page falls back to it after the visitor's Accept-Language. */
  locale: string | undefined;

  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly title = 'The request is not valid';
  constructor(
    detail: string,
    readonly errors: readonly FieldError[] = [],
    code = 'VALIDATION_FAILED',
  ) {
    super(code, detail);
  }
}

export class MalformedJsonError extends AppError {
  readonly status = 400;
  readonly title = 'The body is not valid JSON';
  constructor(detail = 'The request body could not be parsed as JSON.') {
    super('MALFORMED_JSON', detail);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly title = 'Unsupported media type';
  constructor(detail: string) {
    super('UNSUPPORTED_MEDIA_TYPE', detail);
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly title = 'The body is too large';
  constructor(limit: number) {
    super('PAYLOAD_TOO_LARGE', `Request bodies are limited to ${limit} bytes.`);
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly title = 'Authentication required';
  constructor(detail = 'A valid bearer token is required.') {
    super('UNAUTHORIZED', detail);
    this.headers['WWW-Authenticate'] = 'Bearer';
  }
}

/** A power grant (or any, under the customer's policy) without a signed-in customer admin for this invitation: 401 `SIGN_IN_REQUIRED`. */
export class SignInRequiredError extends AppError {
  readonly status = 401;
  readonly title = 'Sign-in required';
  constructor(detail: string) {
    super('SIGN_IN_REQUIRED', detail);
  }
}

/** A sign-in that did not complete (refused state, code or ID token): 400 `SIGN_IN_FAILED`; nothing changed. */
export class SignInFailedError extends AppError {
  readonly status = 400;
  readonly title = 'Sign-in failed';
  constructor(detail: string) {
    super('SIGN_IN_FAILED', detail);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly title = 'Forbidden';
  constructor(code: string, detail: string) {
    super(code, detail);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly title = 'Not found';
  constructor(detail = 'There is nothing here.', code = 'NOT_FOUND') {
    super(code, detail);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly title = 'Conflict with the current state';
}

export class GoneError extends AppError {
  readonly status = 410;
  readonly title = 'No longer available';
}

export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly title = 'The request cannot be carried out';
}
