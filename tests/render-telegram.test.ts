// Telegram HTML rendering: escaping, bold headings, inline keyboard from actions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../src/domain.ts";
import { createQueryEngine } from "../src/query/engine.ts";
import { CALLBACK_DATA_MAX_BYTES, escapeHtml, renderTelegram } from "../src/render/telegram.ts";
import { openSeedCatalog, type SeedCatalog } from "./query-fixture.ts";

const answer = (over: Partial<Answer>): Answer => ({ intent: "project_budget", text: "", projects: [], indicators: [], ...over });

describe("escapeHtml", () => {
  it("escapes < > & and nothing else", () => {
    expect(escapeHtml("A&B <项目> “平安通”")).toBe("A&amp;B &lt;项目&gt; “平安通”");
  });
});

describe("renderTelegram", () => {
  it("escapes names containing < > & everywhere, including the bold title", () => {
    const name = "<script>R&D 项目</script>";
    const m = renderTelegram(answer({ title: name, text: `${name}\n预算总计：1.00 万元\n来源：A<B> · 文件 x&y.txt` }));
    expect(m.html).toContain("<b>&lt;script&gt;R&amp;D 项目&lt;/script&gt;</b>");
    expect(m.html).toContain("<i>来源：A&lt;B&gt; · 文件 x&amp;y.txt</i>");
    // Only our own tags remain.
    expect(m.html.replace(/<\/?(?:b|i)>/g, "")).not.toMatch(/[<>]/);
  });

  it("makes headings and level groups bold", () => {
    const m = renderTelegram(answer({ text: "某项目的绩效指标（2 项）：\n【产出指标】\n· 数量：1个" }));
    expect(m.html.split("\n")).toEqual(["<b>某项目的绩效指标（2 项）：</b>", "<b>【产出指标】</b>", "· 数量：1个"]);
  });

  it("numbered picks one per row, the rest on one row; callback_data within 64 bytes", () => {
    const m = renderTelegram(
      answer({
        actions: [
          { label: "1. 工作经费", command: "/pick 1" },
          { label: "2. 工作经费", command: "/pick 2" },
          { label: "更多", command: "/more" },
          { label: "帮助", command: "/help" },
        ],
      }),
    );
    expect(m.keyboard).toEqual([
      [{ text: "1. 工作经费", callback_data: "/pick 1" }],
      [{ text: "2. 工作经费", callback_data: "/pick 2" }],
      [
        { text: "更多", callback_data: "/more" },
        { text: "帮助", callback_data: "/help" },
      ],
    ]);
  });

  it("drops a button whose data would exceed 64 bytes (Chinese is 3 bytes a character)", () => {
    const long = "/search " + "预".repeat(19); // 8 + 57 = 65 bytes, 27 characters
    const m = renderTelegram(answer({ actions: [{ label: "搜", command: long }] }));
    expect(Buffer.byteLength(long)).toBeGreaterThan(CALLBACK_DATA_MAX_BYTES);
    expect(m.keyboard).toEqual([]);
  });

  it("keeps messages under Telegram's 4096 characters, cutting at a line", () => {
    const text = Array.from({ length: 400 }, (_, i) => `${i + 1}. 项目名称很长很长很长的项目 — 1.00 万元`).join("\n");
    const m = renderTelegram(answer({ text }));
    expect([...m.html].length).toBeLessThanOrEqual(4096);
    expect(m.html.endsWith("\n…")).toBe(true);
  });
});

describe("real answers", () => {
  let seeds: SeedCatalog;
  beforeAll(() => {
    seeds = openSeedCatalog();
  });
  afterAll(() => seeds.dispose());

  it("a clarification renders its choices as buttons that feed back /pick", async () => {
    const engine = createQueryEngine(seeds.catalog);
    const a = await engine.ask("工作经费预算多少", { chatKey: "tg" });
    const m = renderTelegram(a);
    expect(m.keyboard).toHaveLength(3);
    for (const [b] of m.keyboard) expect(b!.callback_data).toMatch(/^\/pick \d+$/);
    const picked = await engine.ask(m.keyboard[0]![0]!.callback_data, { chatKey: "tg" });
    expect(picked.projects[0]?.name).toBe("工作经费");
    expect(renderTelegram(picked).html).toContain("<b>工作经费</b>");
  });

  it("“平安通” keeps its quotes; the amount is as in the table", async () => {
    const engine = createQueryEngine(seeds.catalog);
    const m = renderTelegram(await engine.ask("平安通项目预算多少", { chatKey: "tg2" }));
    expect(m.html).toContain("<b>广州市“平安通”服务项目</b>");
    expect(m.html).toContain("2294.25 万元");
  });
});
