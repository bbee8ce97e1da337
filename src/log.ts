import { pino, destination, type Logger } from 'pino';

/**
 * JSON log lines on stderr (stdout stays for command output). PUBMETA_LOG_LEVEL sets the level.
 * Secrets are redacted by key wherever they appear in a log object.
 */
export function createLogger(name: string, level = process.env.PUBMETA_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: ['password', 'login_passwd', 'pwd', '*.password', '*.login_passwd', '*.pwd', 'credentials'],
        censor: '[redacted]',
      },
    },
    destination({ fd: 2, sync: true }),
  );
}

export type { Logger };
