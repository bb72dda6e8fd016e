/** The emulated services' common parts: one error type, shape validation, operation tables, pagination. */
export * from './errors.js';
export * from './shapes.js';
export * from './rest.js';
export * from './awsjson.js';
export * from './paginate.js';
