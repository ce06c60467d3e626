export * from './adapter.js';
export * from './errors.js';
