// A small static file server for the built page (`pomdp web`): localhost only, GET and HEAD, the files
// of one folder with their content types, nothing else.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** A running server: its URL (ending in "/") and how to stop it. */
export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The file under `root` that `urlPath` names (index.html for a folder), or null outside `root`. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split("?")[0]!.split("#")[0]!);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const rootResolved = path.resolve(root);
  if (file !== rootResolved && !file.startsWith(rootResolved + path.sep)) return null;
  if (decoded.endsWith("/")) return path.join(file, "index.html");
  return file;
}

/**
 * Serves the files of `root` on `host`:`port` (port 0: any free one). Resolves once listening; a port in
 * use is an error naming it.
 */
export function serveStatic(root: string, port: number, host = "127.0.0.1"): Promise<WebServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const file = resolveStaticPath(root, req.url ?? "/");
    let stat: fs.Stats | undefined;
    try {
      stat = file === null ? undefined : fs.statSync(file);
    } catch {
      stat = undefined;
    }
    if (file === null || stat === undefined || !stat.isFile()) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${req.url}\n`);
      return;
    }
    res.writeHead(200, {
      "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": stat.size,
      "cache-control": "no-cache",
    });
    if (req.method === "HEAD") res.end();
    else fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE" ? new Error(`--port ${port}: ${host}:${port} is already in use`) : err,
      ),
    );
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host === "127.0.0.1" ? "localhost" : host}:${actual}/`,
        port: actual,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
