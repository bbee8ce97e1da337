// Atomic file writing moved to src/export/ (the export pipeline's); kept here for the worker's imports.
export * from '../export/atomicWrite.js';
