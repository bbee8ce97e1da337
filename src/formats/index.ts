// Public API of the formats capability; re-exported from src/index.ts.
export {};
