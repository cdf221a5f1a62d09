// The browser side of the web tests: the shared suite over connect-web's two transports against
// the server named by ?server=, then the results as JSON in window.ternResults (read by
// browser-run.mjs). The Connect transport uses GET for the side-effect-free Lookup method; a
// recording fetch shows which HTTP method the browser really sent.
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { WebTestService } from "/gen/tern/webtest/v1/webtest_pb.js";
import { ErrorInfoSchema } from "/gen/google/rpc/error_details_pb.js";
import { runSuite } from "/js/suite.js";

const baseUrl = new URLSearchParams(location.search).get("server");
const generated = { service: WebTestService, errorInfo: ErrorInfoSchema };
const sent = [];
const recordingFetch = (input, init) => {
  sent.push({ url: String(input), method: (init && init.method) || "GET" });
  return globalThis.fetch(input, init);
};

async function run() {
  const grpcWeb = await runSuite(createGrpcWebTransport({ baseUrl, fetch: recordingFetch }),
    generated, { get: false, clientStreaming: false, bidi: false });
  const connect = await runSuite(
    createConnectTransport({ baseUrl, fetch: recordingFetch, useHttpGet: true }),
    generated, { get: true, clientStreaming: false, bidi: false });
  const lookup = sent.find((s) => s.url.includes("/tern.webtest.v1.WebTestService/Lookup"));
  if (connect.get && lookup) connect.get.httpMethod = lookup.method;
  return { grpcWeb, connect, origin: location.origin };
}

run().then(
  (results) => { window.ternResults = results; },
  (e) => { window.ternResults = { pageError: String(e && e.stack || e) }; });
