// XSD validation on a second core. libxml2 (as WebAssembly) is single-threaded, and checking
// every output costs more than writing it; a worker thread with its own compiled schemas
// validates while the calling thread writes (and validates too when the worker is busy), so an
// export uses two cores. The results are validateXmlMany's, wherever they were computed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { XmlValidationResult } from './validate.js';

const WORKER_SCRIPT = new URL('./pool-worker.js', import.meta.url);

interface Pending {
  resolve(results: XmlValidationResult[]): void;
  reject(error: Error): void;
}

export class ValidationThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private ready = false;

  private constructor(schemas: readonly string[]) {
    this.worker = new Worker(WORKER_SCRIPT);
    this.worker.postMessage({ prepare: schemas });
    // An idle worker must not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (message: { id: number; results?: XmlValidationResult[]; error?: string; ready?: true }) => {
      if (message.ready) {
        this.ready = true;
        return;
      }
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.results) pending.resolve(message.results);
      else pending.reject(new Error(`validation thread: ${message.error}`));
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`validation thread exited with code ${code}`)));
  }

  /**
   * A thread that compiles `schemas` at once (on its own core), or undefined where none can run
   * (the sources run untranspiled, as under the test runner).
   */
  static start(schemas: readonly string[]): ValidationThread | undefined {
    return existsSync(fileURLToPath(WORKER_SCRIPT)) ? new ValidationThread(schemas) : undefined;
  }

  /** Whether it is compiling or working on something (then the caller validates itself). */
  get busy(): boolean {
    return !this.ready || this.pending.size > 0 || this.failure !== undefined;
  }

  validateMany(documents: string[], schema: string): Promise<XmlValidationResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, documents, schema });
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    }) as Promise<XmlValidationResult[]>;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('validation thread closed');
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
