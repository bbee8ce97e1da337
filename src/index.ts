// pubmeta public API. Each capability exports its own names; keep them distinct.
export * from './model/index.js';
export * from './formats/index.js';
export * from './validate/index.js';
export * from './export/index.js';
export * from './store/index.js';
export * from './oai-pmh/index.js';
export * from './oai/index.js';
export * from './harvest/index.js';
export * from './crossref/index.js';
export * from './worker/index.js';
export * from './journals/index.js';
export * from './pages/index.js';
export * from './spreadsheet/index.js';
export * from './import/index.js';
