// Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030; refuses empty and
// binary input with a typed, Chinese ParseError.
import { ParseError } from "../domain.ts";

/** Larger inputs are refused rather than risking the process's memory. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

export type Encoding = "utf-8" | "utf-16le" | "utf-16be" | "gb18030";

export interface Decoded {
  text: string;
  encoding: Encoding;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function decodeBytes(bytes: Uint8Array): Decoded {
  if (bytes.length > MAX_INPUT_BYTES)
    throw new ParseError("too-large", `文件过大（${Math.round(bytes.length / 1048576)} MB），无法解析`);
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return checked({ text: new TextDecoder("utf-16le").decode(bytes), encoding: "utf-16le" });
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return checked({ text: new TextDecoder("utf-16be").decode(bytes), encoding: "utf-16be" });
  if (looksBinary(bytes)) throw new ParseError("binary", "文件不是文本（像是二进制文件），无法解析");
  let decoded: Decoded;
  try {
    decoded = { text: utf8.decode(bytes), encoding: "utf-8" };
  } catch {
    // Not valid UTF-8: Chinese government files that are not UTF-8 are GBK/GB18030.
    decoded = { text: new TextDecoder("gb18030").decode(bytes), encoding: "gb18030" };
  }
  return checked(decoded);
}

function checked(d: Decoded): Decoded {
  const text = d.text.charCodeAt(0) === 0xfeff ? d.text.slice(1) : d.text;
  if (text.trim() === "") throw new ParseError("empty", "文件为空，没有可解析的内容");
  if (controlShare(text) > 0.05) throw new ParseError("binary", "文件不是文本（像是二进制文件），无法解析");
  return { text, encoding: d.encoding };
}

/** NUL bytes, or many control bytes, in the first 64 KB mean a binary file. */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 65536);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return n > 0 && control / n > 0.05;
}

function controlShare(text: string): number {
  const n = Math.min(text.length, 65536);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c)) bad++;
  }
  return n === 0 ? 0 : bad / n;
}
