// The static server of `pomdp web`: files with their types, 404s, nothing outside its folder.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveStaticPath, serveStatic, type WebServer } from "../../src/web/serve";

describe("serveStatic", () => {
  let dir: string;
  let server: WebServer;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pomdp-serve-"));
    fs.writeFileSync(path.join(dir, "index.html"), "<p>hi</p>");
    fs.writeFileSync(path.join(dir, "a.wasm"), Buffer.from([0, 97, 115, 109]));
    fs.writeFileSync(path.join(os.tmpdir(), "pomdp-serve-secret.txt"), "secret");
    server = await serveStatic(dir, 0);
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("serves index.html for / and files with their content types", async () => {
    expect(server.url).toBe(`http://localhost:${server.port}/`);
    const index = await fetch(server.url);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await index.text()).toBe("<p>hi</p>");
    const wasm = await fetch(`${server.url}a.wasm`);
    expect(wasm.headers.get("content-type")).toBe("application/wasm");
    expect([...new Uint8Array(await wasm.arrayBuffer())]).toEqual([0, 97, 115, 109]);
  });

  it("answers 404 for a missing file and for paths out of its folder, 405 for other methods", async () => {
    expect((await fetch(`${server.url}missing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}..%2fpomdp-serve-secret.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}%2e%2e/pomdp-serve-secret.txt`)).status).toBe(404);
    expect((await fetch(server.url, { method: "POST" })).status).toBe(405);
    expect(resolveStaticPath("/srv/page", "/../etc/passwd")).toBe(path.resolve("/srv/page/etc/passwd"));
    expect(resolveStaticPath("/srv/page", "/%2e%2e/%2e%2e/etc/passwd")).toBe(
      path.resolve("/srv/page/etc/passwd"),
    );
    expect(resolveStaticPath("/srv/page", "/a/")).toBe(path.resolve("/srv/page/a/index.html"));
    expect(resolveStaticPath("/srv/page", "/%zz")).toBeNull();
  });

  it("refuses a port in use with a message naming it", async () => {
    await expect(serveStatic(dir, server.port)).rejects.toThrow(
      `--port ${server.port}: 127.0.0.1:${server.port} is already in use`,
    );
  });
});
