// Public API of the model capability; re-exported from src/index.ts.
export type * from './types.js';
