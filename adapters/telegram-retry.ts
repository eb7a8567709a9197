// Telegraf does not retry "429 Too Many Requests": wait `parameters.retry_after` seconds and try again.
import { setTimeout as sleep } from "node:timers/promises";
import { TelegramError } from "telegraf";

export interface RetryOptions {
  /** Attempts in all, the first one included. */
  attempts?: number;
  /** Longest wait honoured, in seconds; a longer retry_after gives up at once. */
  maxWaitSeconds?: number;
  onRetry?: (waitSeconds: number, attempt: number) => void;
}

export function retryAfterSeconds(err: unknown): number | null {
  if (err instanceof TelegramError && err.code === 429) return err.parameters?.retry_after ?? 1;
  return null;
}

/** Telegram answers 400 "message is not modified" when an edit changes nothing: not a failure. */
export function isNotModified(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 400 && /message is not modified/i.test(err.description);
}

export async function withRetryOn429<T>(call: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 4;
  const maxWait = opts.maxWaitSeconds ?? 120;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const wait = retryAfterSeconds(err);
      if (wait === null || attempt >= attempts || wait > maxWait) throw err;
      opts.onRetry?.(wait, attempt);
      await sleep(wait * 1000);
    }
  }
}
