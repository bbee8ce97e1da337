// A validation thread (see pool.ts): validates what it is sent, with the schemas it compiles itself.
import { parentPort } from 'node:worker_threads';
import { validateXmlMany } from './many.js';
import { precompileSchemas, type SchemaId } from './schemas.js';

interface Job {
  id: number;
  documents: string[];
  schema: string;
}

parentPort!.on('message', (job: Job | { prepare: string[] }) => {
  if ('prepare' in job) {
    // Compile first, then say so: until then the caller validates itself.
    try {
      precompileSchemas(job.prepare as SchemaId[]);
    } finally {
      parentPort!.postMessage({ ready: true });
    }
    return;
  }
  try {
    parentPort!.postMessage({ id: job.id, results: validateXmlMany(job.documents, job.schema) });
  } catch (error) {
    parentPort!.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});
