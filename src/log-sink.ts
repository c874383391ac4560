import { write, writeSync } from 'node:fs';

/**
 * Where log lines go: stdout, written so that it can never stop the service. A write that
 * fails (EPIPE: the reader went away; ENOSPC: `> /dev/full` or a full disk; EBADF) turns
 * logging off and says so once on stderr; the service keeps serving, because logs are
 * diagnostics and the bars are the product (a supervisor restart would not empty the disk
 * or bring the reader back, only drop every client). A stdout that does not drain (a full
 * pipe nobody reads) costs at most `maxBufferBytes` of memory: lines past it are dropped,
 * said once on stderr, and logging resumes when the reader catches up.
 *
 * Not sonic-boom (pino's default destination): its flushSync, run at exit, retries a failed
 * write forever, so `> /dev/full` hung the process and SIGTERM could not end it. Here no
 * write is retried but EAGAIN's, and none blocks the event loop.
 */
export interface LogSink {
  /** Queues one line (pino calls this). */
  write(line: string): void;
  /**
   * From now on, writes each line synchronously (the last lines before a crash exit, which
   * an async write would lose), unless stdout is backed up: then writing could block.
   */
  writeSynchronously(): void;
  /** Resolves true once nothing is queued or in flight (written, or dropped with logging lost), false if not within `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Whether logging was turned off by a failed write. */
  readonly lost: boolean;
}

export interface LogSinkOptions {
  readonly fd?: number;
  readonly maxBufferBytes?: number;
  /** Where the one-time notices go (stderr by default). */
  readonly notice?: (message: string) => void;
}

const DEFAULT_MAX_BUFFER_BYTES = 4 * 1024 * 1024;
/** A non-blocking stdout that is full answers EAGAIN: try again a little later. */
const EAGAIN_RETRY_MS = 50;

export function stdoutLogSink(options: LogSinkOptions = {}): LogSink {
  const fd = options.fd ?? 1;
  const maxBufferBytes = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
  const notice = options.notice ?? noticeOnStderr;
  let queue: string[] = [];
  let queuedBytes = 0;
  let writing = false;
  let lost = false;
  let warnedDrop = false;
  let synchronous = false;
  const drained: (() => void)[] = [];

  const fail = (error: NodeJS.ErrnoException): void => {
    if (lost) return;
    lost = true;
    queue = [];
    queuedBytes = 0;
    notice(`barcast: logging to stdout failed (${error.code ?? error.message}); logging is off, serving continues\n`);
    settle();
  };
  const settle = (): void => {
    if (!lost && (writing || queue.length > 0)) return;
    for (const resolve of drained.splice(0)) resolve();
  };
  const next = (): void => {
    if (writing || lost || queue.length === 0) return settle();
    const chunk = queue.join('');
    queue = [];
    queuedBytes = 0;
    writing = true;
    const buffer = Buffer.from(chunk);
    write(fd, buffer, 0, buffer.length, null, (error, written) => {
      writing = false;
      if (error?.code === 'EAGAIN') {
        requeue(buffer.toString());
        setTimeout(next, EAGAIN_RETRY_MS).unref();
        return;
      }
      if (error) return fail(error);
      if (written < buffer.length) requeue(buffer.subarray(written).toString());
      next();
    });
  };
  const requeue = (rest: string): void => {
    queue.unshift(rest);
    queuedBytes += Buffer.byteLength(rest);
  };

  return {
    write(line) {
      if (lost) return;
      if (synchronous && queue.length === 0 && !warnedDrop) {
        try {
          writeSync(fd, line);
        } catch (error) {
          fail(error as NodeJS.ErrnoException);
        }
        return;
      }
      const bytes = Buffer.byteLength(line);
      if (queuedBytes + bytes > maxBufferBytes) {
        if (!warnedDrop) notice('barcast: stdout is not draining; log lines are being dropped, serving continues\n');
        warnedDrop = true;
        return;
      }
      queue.push(line);
      queuedBytes += bytes;
      next();
    },
    writeSynchronously() {
      synchronous = true;
    },
    drain(timeoutMs) {
      if (lost || (!writing && queue.length === 0)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        drained.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    get lost() {
      return lost;
    },
  };
}

/** stderr by file descriptor: a stderr that fails too must not throw into the service. */
function noticeOnStderr(message: string): void {
  try {
    writeSync(2, message);
  } catch {
    // Nowhere left to say it.
  }
}
