// Operators' log: JSON lines on stderr (stdout is kept for answers and JSON output).
import pino from "pino";

export const log = pino(
  { level: process.env.LOG_LEVEL ?? (process.env.VITEST ? "silent" : "info"), base: undefined },
  pino.destination(2),
);
export type Logger = typeof log;
