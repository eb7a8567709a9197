// A test double of the Feishu Open API on 127.0.0.1: the token endpoint, bot info, message create /
// reply / patch, the long-connection endpoint. Records every call; fails on demand. Also the platform's
// side of webhook delivery: encrypting and signing events as Feishu does.
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";

// `ws` comes with the Lark SDK (no typings installed): the long-connection gateway side.
const { WebSocketServer } = createRequire(import.meta.url)("ws") as { WebSocketServer: new (o: object) => any };

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: any;
  /** What the double answered. */
  status?: number;
  response?: any;
}

export type Failure = "http-500" | "code";

export interface FeishuApiDouble {
  url: string;
  calls: RecordedCall[];
  botOpenId: string;
  /** Files served by GET /open-apis/im/v1/messages/:id/resources/:file_key, by file key. */
  files: Map<string, Buffer>;
  /** Calls that sent or changed a message (create, reply, patch), content parsed. */
  messageCalls(): { kind: "create" | "reply" | "patch"; messageId: string | null; call: RecordedCall; card: any }[];
  /** The next `times` calls whose "METHOD path" matches fail, as HTTP 500 or HTTP 200 with code != 0. */
  failNext(match: RegExp, times: number, how: Failure): void;
  /** Long connection (when started with longConnection): resolves when the SDK's WSClient is connected. */
  wsConnected(timeoutMs?: number): Promise<void>;
  /** Open long connections right now. */
  wsConnections(): number;
  /** Pushes an event over the long connection; resolves with the client's response payload ({ code, data? }). */
  pushEvent(event: unknown): Promise<{ code: number; data?: string }>;
  waitFor<T>(pick: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

async function waitFor<T>(pick: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = pick();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("waitFor: timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readJson(req: IncomingMessage): Promise<any> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch (err) {
        reject(err);
      }
    });
    req.on("error", reject);
  });
}

export async function startFeishuApiDouble(opts: {
  appId: string;
  appSecret: string;
  /** Serve the long-connection endpoint and a gateway speaking the SDK's protobuf frames. */
  longConnection?: boolean;
}): Promise<FeishuApiDouble> {
  const calls: RecordedCall[] = [];
  const failures: { match: RegExp; left: number; how: Failure }[] = [];
  const tokens = new Set<string>();
  const botOpenId = "ou_bot0000000000000000000000000000";
  let nextMessage = 1;
  const files = new Map<string, Buffer>();

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readJson(req).catch(() => "<invalid json>");
    const call: RecordedCall = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body,
    };
    calls.push(call);
    const send = (status: number, payload: unknown) => {
      call.status = status;
      call.response = payload;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
    };

    const failure = failures.find((f) => f.left > 0 && f.match.test(`${call.method} ${call.path}`));
    if (failure) {
      failure.left--;
      return failure.how === "http-500" ? send(500, { code: 500, msg: "injected" }) : send(200, { code: 230001, msg: "injected failure" });
    }

    const route = `${call.method} ${call.path}`;
    if (route === "POST /open-apis/auth/v3/tenant_access_token/internal") {
      if (body?.app_id !== opts.appId || body?.app_secret !== opts.appSecret) {
        return send(200, { code: 10014, msg: "app secret invalid" });
      }
      const token = `t-${randomBytes(8).toString("hex")}`;
      tokens.add(token);
      return send(200, { code: 0, msg: "ok", tenant_access_token: token, expire: 7200 });
    }
    if (route === "POST /callback/ws/endpoint") {
      if (!opts.longConnection || body?.AppID !== opts.appId || body?.AppSecret !== opts.appSecret) {
        // Refuse, as Feishu does for an app without long connection.
        return send(200, { code: 1000040350, msg: "long connection not enabled (test double)", data: {} });
      }
      return send(200, {
        code: 0,
        msg: "ok",
        data: {
          URL: `ws://127.0.0.1:${port}/ws?device_id=dev1&service_id=7`,
          ClientConfig: { PingInterval: 120, ReconnectCount: 1, ReconnectInterval: 60, ReconnectNonce: 0 },
        },
      });
    }
    const bearer = call.authorization?.replace(/^Bearer /, "");
    if (!bearer || !tokens.has(bearer)) return send(401, { code: 99991663, msg: "invalid tenant access token" });

    if (route === "GET /open-apis/bot/v3/info") {
      return send(200, { code: 0, msg: "ok", bot: { open_id: botOpenId, app_name: "预算助手" } });
    }
    if (route === "POST /open-apis/im/v1/messages") {
      if (!call.query.receive_id_type || !body?.receive_id) return send(400, { code: 99992402, msg: "field validation failed" });
      return send(200, { code: 0, msg: "success", data: { message_id: `om_sent${nextMessage++}`, chat_id: body.receive_id } });
    }
    let m = /^GET \/open-apis\/im\/v1\/messages\/[^/]+\/resources\/([^/]+)$/.exec(route);
    if (m) {
      const file = files.get(decodeURIComponent(m[1]!));
      if (!file || call.query.type !== "file") return send(400, { code: 234003, msg: "file not found" });
      call.status = 200;
      return res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.length }).end(file);
    }
    m = /^POST \/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(route);
    if (m) return send(200, { code: 0, msg: "success", data: { message_id: `om_reply${nextMessage++}`, parent_id: m[1] } });
    m = /^PATCH \/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(route);
    if (m) return send(200, { code: 0, msg: "success", data: {} });
    return send(404, { code: 404, msg: `no route ${route}` });
  });

  // ---- long-connection gateway ----
  const sockets = new Set<any>();
  const pending = new Map<string, (payload: { code: number; data?: string }) => void>();
  let wsServer: any = null;
  if (opts.longConnection) {
    wsServer = new WebSocketServer({ server, path: "/ws" });
    wsServer.on("connection", (socket: any) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("message", (data: Buffer) => {
        const frame = decodeFrame(data);
        const headers = Object.fromEntries(frame.headers.map((h) => [h.key, h.value]));
        if (frame.method === 0) {
          // ping → pong
          socket.send(encodeFrame({ ...frame, headers: [{ key: "type", value: "pong" }], payload: Buffer.from("{}") }));
          return;
        }
        const resolve = pending.get(headers.message_id ?? "");
        if (resolve) {
          pending.delete(headers.message_id!);
          resolve(JSON.parse(frame.payload.toString("utf8")));
        }
      });
    });
  }
  let pushed = 0;

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    botOpenId,
    files,
    messageCalls() {
      return calls.flatMap((call) => {
        const kind =
          call.method === "POST" && call.path === "/open-apis/im/v1/messages"
            ? "create"
            : call.method === "POST" && /\/reply$/.test(call.path)
              ? "reply"
              : call.method === "PATCH" && /^\/open-apis\/im\/v1\/messages\/[^/]+$/.test(call.path)
                ? "patch"
                : null;
        if (!kind) return [];
        const messageId = kind === "create" ? null : (call.path.split("/")[5] ?? null);
        let card: any = null;
        try {
          card = JSON.parse(call.body?.content ?? "null");
        } catch {
          card = null;
        }
        return [{ kind, messageId, call, card }];
      });
    },
    failNext(match, times, how) {
      failures.push({ match, left: times, how });
    },
    async wsConnected(timeoutMs = 5000) {
      await waitFor(() => sockets.size > 0, timeoutMs);
    },
    wsConnections: () => sockets.size,
    pushEvent(event) {
      const socket = [...sockets][0];
      if (!socket) return Promise.reject(new Error("no long connection"));
      const messageId = `msg_${++pushed}`;
      return new Promise((resolve) => {
        pending.set(messageId, resolve);
        socket.send(
          encodeFrame({
            SeqID: pushed,
            LogID: pushed,
            service: 7,
            method: 1,
            headers: [
              { key: "type", value: "event" },
              { key: "message_id", value: messageId },
              { key: "sum", value: "1" },
              { key: "seq", value: "0" },
              { key: "trace_id", value: `trace_${pushed}` },
            ],
            payload: Buffer.from(JSON.stringify(event)),
          }),
        );
      });
    },
    waitFor,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.terminate();
        wsServer?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- the long connection's frames (pbbp2.Frame of the SDK), hand-coded protobuf ----

interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number; // 0 control, 1 data
  headers: { key: string; value: string }[];
  payload: Buffer;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

const field = (no: number, wire: number) => varint(no * 8 + wire);
const bytesField = (no: number, b: Buffer) => Buffer.concat([field(no, 2), varint(b.length), b]);

function encodeFrame(f: Frame): Buffer {
  return Buffer.concat([
    field(1, 0), varint(f.SeqID),
    field(2, 0), varint(f.LogID),
    field(3, 0), varint(f.service),
    field(4, 0), varint(f.method),
    ...f.headers.map((h) =>
      bytesField(5, Buffer.concat([bytesField(1, Buffer.from(h.key)), bytesField(2, Buffer.from(h.value))])),
    ),
    bytesField(8, f.payload),
  ]);
}

/** Fields of one protobuf message: number → varints or byte strings, in order. */
function readFields(buf: Buffer): { no: number; value: number | Buffer }[] {
  const out: { no: number; value: number | Buffer }[] = [];
  let i = 0;
  const readVarint = () => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = buf[i++]!;
      n += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return n;
    }
  };
  while (i < buf.length) {
    const tag = readVarint();
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) out.push({ no, value: readVarint() });
    else if (wire === 2) {
      const len = readVarint();
      out.push({ no, value: buf.subarray(i, i + len) });
      i += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

function decodeFrame(buf: Buffer): Frame {
  const f: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [], payload: Buffer.alloc(0) };
  for (const { no, value } of readFields(buf)) {
    if (no === 1) f.SeqID = value as number;
    else if (no === 2) f.LogID = value as number;
    else if (no === 3) f.service = value as number;
    else if (no === 4) f.method = value as number;
    else if (no === 5) {
      const h = readFields(value as Buffer);
      f.headers.push({
        key: String(h.find((x) => x.no === 1)?.value ?? ""),
        value: String(h.find((x) => x.no === 2)?.value ?? ""),
      });
    } else if (no === 8) f.payload = Buffer.from(value as Buffer);
  }
  return f;
}

// ---- the platform's side of webhook delivery ----

/** Encrypts an event body as Feishu does with an Encrypt Key: AES-256-CBC, key sha256(key), random IV in front. */
export function encryptFeishuEvent(event: unknown, encryptKey: string): { encrypt: string } {
  const key = createHash("sha256").update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  const data = Buffer.concat([iv, cipher.update(JSON.stringify(event), "utf8"), cipher.final()]);
  return { encrypt: data.toString("base64") };
}

/** The X-Lark-* headers Feishu adds when an Encrypt Key is configured. */
export function signFeishuRequest(rawBody: string, encryptKey: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  const nonce = randomBytes(8).toString("hex");
  const signature = createHash("sha256").update(timestamp + nonce + encryptKey + rawBody).digest("hex");
  return {
    "x-lark-request-timestamp": timestamp,
    "x-lark-request-nonce": nonce,
    "x-lark-signature": signature,
  };
}

let eventCounter = 0;
const newEventId = () => `ev_${Date.now().toString(16)}_${++eventCounter}`;

/** An im.message.receive_v1 event (schema 2.0) as Feishu sends it. */
export function messageEvent(opts: {
  token?: string;
  appId: string;
  chatId: string;
  chatType: "p2p" | "group";
  senderOpenId: string;
  text: string;
  mentions?: { key: string; openId: string; name: string }[];
  eventId?: string;
  messageId?: string;
  /** Another kind of message, e.g. "file" with content { file_key, file_name }. */
  messageType?: string;
  content?: unknown;
}) {
  return {
    schema: "2.0",
    header: {
      event_id: opts.eventId ?? newEventId(),
      token: opts.token ?? "",
      create_time: String(Date.now()),
      event_type: "im.message.receive_v1",
      tenant_key: "tenant_test",
      app_id: opts.appId,
    },
    event: {
      sender: {
        sender_id: { open_id: opts.senderOpenId, union_id: "on_test", user_id: "u_test" },
        sender_type: "user",
        tenant_key: "tenant_test",
      },
      message: {
        message_id: opts.messageId ?? `om_in${++eventCounter}`,
        create_time: String(Date.now()),
        chat_id: opts.chatId,
        chat_type: opts.chatType,
        message_type: opts.messageType ?? "text",
        content: JSON.stringify(opts.content ?? { text: opts.text }),
        mentions: (opts.mentions ?? []).map((m) => ({
          key: m.key,
          id: { open_id: m.openId, union_id: "on_x", user_id: "" },
          name: m.name,
          tenant_key: "tenant_test",
        })),
      },
    },
  };
}

/** A card.action.trigger callback (schema 2.0) for a button whose value is `value`. */
export function cardActionEvent(opts: {
  token?: string;
  appId: string;
  chatId: string;
  messageId: string;
  operatorOpenId: string;
  value: unknown;
  eventId?: string;
}) {
  return {
    schema: "2.0",
    header: {
      event_id: opts.eventId ?? newEventId(),
      token: opts.token ?? "",
      create_time: String(Date.now() * 1000),
      event_type: "card.action.trigger",
      tenant_key: "tenant_test",
      app_id: opts.appId,
    },
    event: {
      operator: { tenant_key: "tenant_test", user_id: "u_test", open_id: opts.operatorOpenId },
      token: "c-card-update-token",
      action: { value: opts.value, tag: "button" },
      host: "im_message",
      context: { open_message_id: opts.messageId, open_chat_id: opts.chatId },
    },
  };
}
