package dev.tern.webtests;

import java.util.Map;

/**
 * The connect-node transports node-client.mjs runs, and what each allows: gRPC-Web has no client
 * or bidi streaming (PROTOCOL-WEB.md), Connect's bidi needs HTTP/2, gRPC needs HTTP/2. Every
 * mode also sends a gzip-compressed request.
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
          "clientStream", SuiteExpectations.CLIENT_STREAM, "bidi", SuiteExpectations.BIDI));

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
