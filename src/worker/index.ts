// Public API of the worker capability; re-exported from src/index.ts.
export {};
