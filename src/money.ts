// Exact money arithmetic: amounts are 万元 with two decimals, summed as integer cents.

export const toCents = (wan: number): number => Math.round(wan * 100);
export const fromCents = (cents: number): number => cents / 100;

/** Exact sum of amounts in 万元 (0.1 + 0.2 → 0.3, never 0.30000000000000004). */
export function sumAmounts(values: Iterable<number | null | undefined>): number {
  let cents = 0;
  for (const v of values) if (v != null) cents += toCents(v);
  return fromCents(cents);
}

/** Two decimals as in the tables, without thousands separators so it reads the same everywhere: 12508.23. */
export function formatAmount(wan: number): string {
  const cents = toCents(wan);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toString();
  return `${sign}${whole}.${String(abs % 100).padStart(2, "0")}`;
}
