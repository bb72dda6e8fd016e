/** The identity handlers' error helpers are the emulator's one modelled error (src/emulator/api/errors.ts). */
export { ApiError, accessDenied, conflict, notFound, validation, validationMessage } from '../api/errors.js';
