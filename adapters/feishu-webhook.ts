// POST /feishu/events: decrypt, verify (signature, token), answer url_verification, acknowledge at once
// and hand the event on. Written by hand because the SDK's adaptDefault awaits the handler before
// replying (Feishu wants an answer within 3 s), hangs on a query string and skips the challenge.
import { createDecipheriv, createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, type RouteHandler } from "./http-route.ts";
import type { Logger } from "../src/log.ts";

/** AES-256-CBC, key = sha256(encryptKey), IV = the first 16 bytes of the base64-decoded data. */
export function decryptFeishuPayload(encrypted: string, encryptKey: string): string {
  const data = Buffer.from(encrypted, "base64");
  if (data.length < 32) throw new Error("encrypted payload too short");
  const key = createHash("sha256").update(encryptKey).digest();
  const decipher = createDecipheriv("aes-256-cbc", key, data.subarray(0, 16));
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString("utf8");
}

/** X-Lark-Signature: hex sha256(timestamp + nonce + encryptKey + raw body). */
export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash("sha256").update(timestamp + nonce + encryptKey).update(rawBody).digest("hex");
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) res.writeHead(status).end();
  else res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** v2 events carry the token in header.token, v1 events and url_verification at the top. */
function tokenOf(body: Json): unknown {
  return isObject(body.header) ? body.header.token : body.token;
}

export interface FeishuWebhookOptions {
  verificationToken?: string;
  encryptKey?: string;
  log: Logger;
  /** Receives each verified, decrypted event after the HTTP answer has been sent. Must not throw. */
  onEvent: (event: Json) => void;
}

export function createFeishuWebhookHandler(opts: FeishuWebhookOptions): RouteHandler {
  const { verificationToken, encryptKey, log } = opts;
  if (!verificationToken && !encryptKey) {
    log.warn("feishu webhook runs without FEISHU_VERIFICATION_TOKEN or FEISHU_ENCRYPT_KEY: events are not authenticated");
  }

  return async (req, res) => {
    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch {
      return reply(res, 413);
    }
    let outer: unknown;
    try {
      outer = JSON.parse(raw.toString("utf8"));
    } catch {
      return reply(res, 400, { error: "invalid json" });
    }
    if (!isObject(outer)) return reply(res, 400, { error: "invalid json" });

    let body: Json = outer;
    if (encryptKey) {
      const signature = header(req, "x-lark-signature");
      if (signature !== undefined) {
        const expected = feishuSignature(
          header(req, "x-lark-request-timestamp") ?? "",
          header(req, "x-lark-request-nonce") ?? "",
          encryptKey,
          raw,
        );
        if (!sameText(signature, expected)) {
          log.warn("feishu webhook: bad X-Lark-Signature");
          return reply(res, 401, { error: "bad signature" });
        }
      }
      if (typeof outer.encrypt === "string") {
        try {
          const inner: unknown = JSON.parse(decryptFeishuPayload(outer.encrypt, encryptKey));
          if (!isObject(inner)) throw new Error("not an object");
          body = inner;
        } catch (err) {
          log.warn({ err: String(err) }, "feishu webhook: cannot decrypt event");
          return reply(res, 401, { error: "cannot decrypt" });
        }
      }
      // Only the url_verification handshake may come unsigned; it is still token-checked below.
      if (signature === undefined && body.type !== "url_verification") {
        log.warn("feishu webhook: unsigned event while FEISHU_ENCRYPT_KEY is set");
        return reply(res, 401, { error: "missing signature" });
      }
    } else if (typeof outer.encrypt === "string") {
      log.warn("feishu webhook: encrypted event but FEISHU_ENCRYPT_KEY is not set");
      return reply(res, 400, { error: "encrypted event without encrypt key" });
    }

    if (verificationToken) {
      const token = tokenOf(body);
      if (typeof token !== "string" || !sameText(token, verificationToken)) {
        log.warn("feishu webhook: bad verification token");
        return reply(res, 401, { error: "bad token" });
      }
    }

    if (body.type === "url_verification") {
      return reply(res, 200, { challenge: body.challenge });
    }

    // Acknowledge first: Feishu retries events not answered within 3 s.
    reply(res, 200, {});
    opts.onEvent(body);
  };
}
