// Public API of the store capability; re-exported from src/index.ts.
export * from './db.js';
export * from './types.js';
