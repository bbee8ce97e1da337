// Public API of the validate capability; re-exported from src/index.ts.
export {};
