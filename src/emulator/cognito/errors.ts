/** Cognito's errors: HTTP 400 with the type in `__type` (awsJson1_1), on the emulator's one ApiError. */
import { ApiError } from '../api/index.js';

export function cognitoError(type: string, message: string): ApiError {
  return new ApiError(400, type, message);
}

export const invalidParameter = (message: string) => cognitoError('InvalidParameterException', message);
export const notAuthorized = (message: string) => cognitoError('NotAuthorizedException', message);
