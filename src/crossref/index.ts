// Public API of the crossref capability; re-exported from src/index.ts.
export {};
