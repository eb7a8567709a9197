import { describe, expect, it } from "vitest";
import { oneLine, renderActionsHint, renderText } from "../src/render/text.ts";

describe("renderText", () => {
  const a = { intent: "help" as const, text: "第一行\n第二行", projects: [], indicators: [], actions: [{ label: "更多", command: "/more" }] };
  it("is the answer's text", () => expect(renderText(a)).toBe("第一行\n第二行"));
  it("one-line form for stdin mode", () => expect(oneLine("a\nb\r\n\nc")).toBe("a | b | c"));
  it("buttons as commands for the console", () => expect(renderActionsHint(a)).toBe("可输入：/more（更多）"));
});
