package dev.tern.webtests;

import java.util.Map;

/**
 * The connect-node transports node-client.mjs runs, and what each allows: gRPC-Web has no client
 * or bidi streaming (PROTOCOL-WEB.md), Connect's bidi needs HTTP/2, gRPC needs HTTP/2. Every
 * mode also sends a gzip-compressed request. A protocol ending in "+json" sends JSON messages.
 */
enum NodeClientMode {
  CONNECT_HTTP1("connect", "1.1",
      SuiteExpectations.everyProtocolAnd("gzip", SuiteExpectations.GZIP,
          "get", SuiteExpectations.GET, "clientStream", SuiteExpectations.CLIENT_STREAM)),
  CONNECT_HTTP2("connect", "2",
      SuiteExpectations.everyProtocolAnd("gzip", SuiteExpectations.GZIP,
          "get", SuiteExpectations.GET, "clientStream", SuiteExpectations.CLIENT_STREAM,
          "bidi", SuiteExpectations.BIDI)),
  GRPC_WEB_HTTP1("grpc-web", "1.1",
      SuiteExpectations.everyProtocolAnd("gzip", SuiteExpectations.GZIP)),
  GRPC_WEB_HTTP2("grpc-web", "2",
      SuiteExpectations.everyProtocolAnd("gzip", SuiteExpectations.GZIP)),
  GRPC_HTTP2("grpc", "2",
      SuiteExpectations.everyProtocolAnd("gzip", SuiteExpectations.GZIP,
          "clientStream", SuiteExpectations.CLIENT_STREAM, "bidi", SuiteExpectations.BIDI)),
  // JSON messages (the proto3 JSON mapping) instead of binary protobuf.
  CONNECT_JSON_HTTP2("connect+json", "2", CONNECT_HTTP2.expected),
  GRPC_WEB_JSON_HTTP1("grpc-web+json", "1.1", GRPC_WEB_HTTP1.expected),
  GRPC_JSON_HTTP2("grpc+json", "2", GRPC_HTTP2.expected);

  final String protocol;
  final String httpVersion;
  final Map<String, String> expected;

  NodeClientMode(String protocol, String httpVersion, Map<String, String> expected) {
    this.protocol = protocol;
    this.httpVersion = httpVersion;
    this.expected = expected;
  }

  boolean http2() {
    return "2".equals(httpVersion);
  }

  /** Runs node-client.mjs in this mode against {@code baseUrl} and asserts every check. */
  void runAndAssert(String baseUrl) throws Exception {
    SuiteExpectations.assertChecks(this + " against " + baseUrl,
        NodeScript.run("node-client.mjs", NodeScript.generatedDir(), baseUrl, protocol, httpVersion),
        expected);
  }
}
