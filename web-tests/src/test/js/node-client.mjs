// connect-node against one server: node node-client.mjs GENERATED_DIR BASE_URL PROTOCOL HTTP_VERSION
// PROTOCOL is connect, grpc-web or grpc, with "+json" for JSON messages instead of binary
// protobuf; HTTP_VERSION is 1.1 or 2. Prints the suite's JSON.
import { pathToFileURL } from "node:url";
import {
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { runSuite } from "./suite.js";

const [generatedDir, baseUrl, protocolArg, httpVersion] = process.argv.slice(2);
const [protocol, format = "proto"] = protocolArg.split("+");
const { WebTestService } = await import(
  pathToFileURL(`${generatedDir}/tern/webtest/v1/webtest_pb.js`).href);
const { ErrorInfoSchema } = await import(
  pathToFileURL(`${generatedDir}/google/rpc/error_details_pb.js`).href);

const options = { baseUrl, httpVersion, useBinaryFormat: format !== "json" };
// The "gzip" check: every request compressed, whatever its size.
const gzip = { sendCompression: compressionGzip, compressMinBytes: 0 };
const transports = {
  connect: (extra) => createConnectTransport({ ...options, useHttpGet: true, ...extra }),
  "grpc-web": (extra) => createGrpcWebTransport({ ...options, ...extra }),
  grpc: (extra) => createGrpcTransport({ ...options, ...extra }),
};
if (!transports[protocol]) {
  throw new Error(`unknown protocol ${protocol}: one of ${Object.keys(transports).join(", ")}`);
}
// gRPC-Web has no client or bidi streaming (PROTOCOL-WEB.md); Connect has bidi on HTTP/2 only.
const features = {
  get: protocol === "connect",
  clientStreaming: protocol !== "grpc-web",
  bidi: protocol === "grpc" || (protocol === "connect" && httpVersion === "2"),
  gzipTransport: transports[protocol](gzip),
};
const generated = { service: WebTestService, errorInfo: ErrorInfoSchema };
const results = await runSuite(transports[protocol]({}), generated, features);
process.stdout.write(JSON.stringify(results) + "\n");
// An HTTP/2 session kept alive by the transport would keep Node running.
process.exit(0);
