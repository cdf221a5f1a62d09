// The control server: connect-node's own implementation of the test service (connectNodeAdapter
// serves Connect, gRPC-Web and gRPC), on HTTP/1.1 and on cleartext HTTP/2 (Node's http2 cannot
// share one cleartext port between the two). The same client scripts must pass against it and
// against Tern, which proves the harness apart from the server under test.
//   node reference-server.mjs GENERATED_DIR   prints {"http1": PORT, "http2": PORT}, then serves
// until its standard input closes.
import * as http from "node:http";
import * as http2 from "node:http2";
import { pathToFileURL } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { ECHO_HEADER } from "./suite.js";

const [generatedDir] = process.argv.slice(2);
const { WebTestService } = await import(
  pathToFileURL(`${generatedDir}/tern/webtest/v1/webtest_pb.js`).href);
const { ErrorInfoSchema } = await import(
  pathToFileURL(`${generatedDir}/google/rpc/error_details_pb.js`).href);

const greeting = (name) => ({ greeting: `Hello, ${name}!` });

const service = {
  greet(req, ctx) {
    const echo = ctx.requestHeader.get(ECHO_HEADER);
    if (echo !== null) ctx.responseHeader.set(ECHO_HEADER, echo);
    return greeting(req.name);
  },
  lookup: (req) => greeting(req.name),
  async *count(req) {
    for (let i = 1; i <= req.count; i++) yield { number: i };
  },
  fail(req) {
    throw new ConnectError(`bad name: ${req.name}`, Code.InvalidArgument, undefined, [{
      desc: ErrorInfoSchema,
      value: { reason: "BAD_NAME", domain: "webtest.tern.dev", metadata: { name: req.name } },
    }]);
  },
  hang: (req, ctx) => new Promise((resolve, reject) => {
    ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
  }),
  async *watch(req, ctx) {
    yield greeting(req.name);
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
  },
  async greetAll(requests) {
    const names = [];
    for await (const req of requests) names.push(req.name);
    return greeting(names.join(", "));
  },
  async *chat(requests) {
    for await (const req of requests) yield greeting(req.name);
  },
};

const connect = connectNodeAdapter({ routes: (router) => router.service(WebTestService, service) });

// CORS as a browser on another origin needs it: the preflight, then the exposed headers.
const EXPOSED = ["grpc-status", "grpc-message", "grpc-status-details-bin", ECHO_HEADER,
  "connect-content-encoding", "connect-accept-encoding", "content-encoding"].join(", ");
function handler(req, res) {
  const origin = req.headers.origin;
  if (origin) {
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-expose-headers", EXPOSED);
    res.setHeader("vary", "origin");
  }
  if (req.method === "OPTIONS" && origin) {
    res.setHeader("access-control-allow-methods", "GET, POST");
    res.setHeader("access-control-allow-headers", req.headers["access-control-request-headers"] ?? "");
    res.setHeader("access-control-max-age", "600");
    res.writeHead(204);
    res.end();
    return;
  }
  connect(req, res);
}

const listen = (server) => new Promise((resolve) => {
  server.listen(0, "127.0.0.1", () => resolve(server.address().port));
});
const servers = [http.createServer(handler), http2.createServer(handler)];
const [http1Port, http2Port] = await Promise.all(servers.map(listen));
process.stdout.write(JSON.stringify({ http1: http1Port, http2: http2Port }) + "\n");
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
