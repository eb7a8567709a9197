// The one HTTP server: GET /healthz plus the routes adapters hand in (webhooks).
import { createServer, type Server } from "node:http";
import type { RouteHandler } from "../adapters/http-route.ts";

export type { RouteHandler };

/** routes: keys like "POST /feishu/events"; the query string is ignored when matching. */
export function createHttpServer(routes: Record<string, RouteHandler>, onError?: (err: unknown) => void): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
      return;
    }
    const handler = routes[`${req.method} ${path}`];
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      onError?.(err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}
