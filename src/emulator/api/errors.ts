/**
 * The one modelled error of every emulated service. restJson1 services (AgentCore) send it as `x-amzn-errortype` +
 * `{"message", ...extra}`; awsJson1_1 services (Cognito) as `{"__type", "message"}` (src/emulator/respond.ts).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new ApiError(404, 'ResourceNotFoundException', message);
export const accessDenied = (message: string) => new ApiError(403, 'AccessDeniedException', message);
export const conflict = (message: string) => new ApiError(409, 'ConflictException', message);

/** AgentCore's wording for one failed constraint (confirmed for runtimeSessionId, agentcore-errors.md). */
export function validation(field: string, constraint: string): ApiError {
  const message = `Value at '${field}' failed to satisfy constraint: ${constraint}`;
  return new ApiError(400, 'ValidationException', message, {
    reason: 'FieldValidationFailed',
    fieldList: [{ name: field, message }],
  });
}

/** A ValidationException whose text is not about one field's constraint. */
export function validationMessage(message: string, reason = 'FieldValidationFailed'): ApiError {
  return new ApiError(400, 'ValidationException', message, { reason });
}

/** A body member of the wrong JSON type: the service cannot deserialize it. */
export function cannotParse(field: string, expected: string): ApiError {
  return new ApiError(400, 'ValidationException', `Value at '${field}' must be ${expected}`, { reason: 'CannotParse' });
}
