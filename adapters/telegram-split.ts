// Splits Telegram HTML into messages of at most 4096 characters, at line boundaries,
// closing tags that are open at a cut and reopening them in the next part.

export const TELEGRAM_MAX_TEXT = 4096;

const TAG = /<(\/?)([a-zA-Z-]+)(?:\s[^>]*)?>/g;

/** Tags still open at the end of `html`, outermost first, as their full opening text. */
function openTags(html: string, stack: { name: string; open: string }[] = []): { name: string; open: string }[] {
  for (const m of html.matchAll(TAG)) {
    const name = m[2]!.toLowerCase();
    if (m[1]) {
      const i = stack.map((t) => t.name).lastIndexOf(name);
      if (i >= 0) stack.splice(i, 1);
    } else stack.push({ name, open: m[0] });
  }
  return stack;
}

const closing = (stack: { name: string }[]): string =>
  stack
    .slice()
    .reverse()
    .map((t) => `</${t.name}>`)
    .join("");

/** Cuts one over-long line into pieces of at most `max` characters, never inside a tag or an entity. */
function hardCut(line: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let cut = max;
    const lt = rest.lastIndexOf("<", cut);
    if (lt > rest.lastIndexOf(">", cut - 1) && lt > 0) cut = lt;
    const amp = rest.lastIndexOf("&", cut);
    if (amp > rest.lastIndexOf(";", cut - 1) && amp > 0 && cut - amp < 10) cut = amp;
    // Keep surrogate pairs whole.
    if (/[\uD800-\uDBFF]/.test(rest[cut - 1] ?? "")) cut -= 1;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

/**
 * Splits `html` into parts of at most `max` characters (Telegram counts the text after parsing,
 * which is never longer than the HTML). Cuts go between lines; a single line longer than a part
 * is cut where no tag or entity is broken. Tags open at a cut are closed and reopened.
 */
export function splitTelegramHtml(html: string, max = TELEGRAM_MAX_TEXT): string[] {
  if (html.length <= max) return [html];
  // Room for closing/reopening tags at a cut.
  const budget = Math.max(64, max - 200);
  const lines = html.split("\n").flatMap((l) => hardCut(l, budget));
  const parts: string[] = [];
  let current = "";
  let prefix = ""; // tags reopened at the start of this part
  let stack: { name: string; open: string }[] = [];
  for (const line of lines) {
    const candidate = current === "" ? line : `${current}\n${line}`;
    if ((prefix + candidate).length <= budget || current === "") {
      current = candidate;
      continue;
    }
    const body = prefix + current;
    stack = openTags(body);
    parts.push(body + closing(stack));
    prefix = stack.map((t) => t.open).join("");
    current = line;
  }
  if (current !== "") {
    const body = prefix + current;
    parts.push(body + closing(openTags(body)));
  }
  return parts.filter((p) => p.replace(/<[^>]*>/g, "").trim() !== "");
}
