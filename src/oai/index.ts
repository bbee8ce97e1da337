// Public API of the oai capability; re-exported from src/index.ts.
export {};
