// Public API of the harvest capability; re-exported from src/index.ts.
export {};
