import cliProgress from 'cli-progress';
import { createLogger, type Logger } from '../log.js';

/**
 * Progress of long work (export, import, deposit), the same way for every command: a bar on
 * stderr when stderr is a terminal, else a JSON log line on stderr at most once a second.
 * Nothing is shown for work that ends within the first half second, and stdout is never touched
 * (so `--json` output stays one document).
 */
export interface Progress {
  /** `n` more items done. */
  tick(n?: number): void;
  /** The total, once known. */
  setTotal(total: number): void;
  /** True while a bar is drawn: per-item lines on the terminal would break it. */
  readonly drawing: boolean;
  stop(): void;
}

export interface ProgressOptions {
  /** "export" */
  label: string;
  /** "records" */
  unit: string;
  total?: number;
  /** false: no bar (--no-progress, --json); log lines are still written when not on a terminal. */
  bar?: boolean;
  /** For the log lines (default: a logger named after the label). */
  logger?: Logger;
  /** Where the bar goes (default process.stderr); the bar is drawn only when it is a TTY. */
  stream?: NodeJS.WriteStream;
}

const QUIET_MS = 500;
const LOG_EVERY_MS = 1000;

function eta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const interactive = options.bar !== false && stream.isTTY === true;
  const started = Date.now();
  let done = 0;
  let total = options.total;
  let bar: cliProgress.SingleBar | undefined;
  let lastLog = started;
  let loggedDone = 0;
  let logger = options.logger;

  const rate = () => Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
  const payload = () => {
    const r = rate();
    return { rate: r, eta: total !== undefined && r > 0 ? eta((total - done) / r) : '?', known: total !== undefined };
  };

  const draw = () => {
    if (!bar) {
      bar = new cliProgress.SingleBar(
        {
          format: (barOptions, params, p: { rate: number; eta: string; known: boolean }) => {
            const stats = `${params.value} ${options.unit} | ${p.rate} ${options.unit}/s`;
            if (!p.known) return `${options.label} ${stats}`;
            const size = barOptions.barsize ?? 30;
            const complete = Math.round(params.progress * size);
            const drawn = (barOptions.barCompleteString ?? '').slice(0, complete) + (barOptions.barIncompleteString ?? '').slice(0, size - complete);
            return `${options.label} [${drawn}] ${Math.floor(params.progress * 100)}% | ${params.value}/${params.total} ${options.unit} | ${p.rate}/s | ETA ${p.eta}`;
          },
          barCompleteChar: '█',
          barIncompleteChar: '░',
          hideCursor: true,
          stream,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total ?? 0, done, payload());
      return;
    }
    if (total !== undefined) bar.setTotal(Math.max(total, done));
    bar.update(done, payload());
  };

  const log = () => {
    logger ??= createLogger(options.label);
    loggedDone = done;
    logger.info({ done, ...(total !== undefined ? { total } : {}), unit: options.unit, perSecond: rate() }, `${options.label} progress`);
  };

  const report = () => {
    const now = Date.now();
    if (now - started < QUIET_MS) return;
    if (interactive) draw();
    else if (now - lastLog >= LOG_EVERY_MS) {
      lastLog = now;
      log();
    }
  };

  return {
    tick(n = 1) {
      done += n;
      report();
    },
    setTotal(value) {
      total = value;
    },
    get drawing() {
      return bar !== undefined;
    },
    stop() {
      if (bar) {
        bar.update(done, payload());
        bar.stop();
      } else if (!interactive && loggedDone > 0 && done > loggedDone) {
        log();
      }
    },
  };
}
