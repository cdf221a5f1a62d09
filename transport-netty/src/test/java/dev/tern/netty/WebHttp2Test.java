package dev.tern.netty;

import static dev.tern.netty.WebService.frame;
import static dev.tern.netty.WebService.frames;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gRPC-Web and Connect over HTTP/2 (h2c prior knowledge) and over TLS with ALPN, from curl. */
class WebHttp2Test {
  private final WebService service = WebService.create();
  private TernServer server;
  private TernServer tlsServer;

  @BeforeEach
  void start() throws Exception {
    Curl.assumeInstalled();
    server = TernServer.builder().addService(service.definition())
        .corsAllowedOrigins("*").build().start();
    try (InputStream cert = resource("server.pem"); InputStream key = resource("server.key")) {
      tlsServer = TernServer.builder().addService(service.definition())
          .sslContext(TernTls.forServer(cert, key).build()).build().start();
    }
  }

  private static InputStream resource(String name) {
    return WebHttp2Test.class.getResourceAsStream("/tls/" + name);
  }

  @AfterEach
  void stop() throws Exception {
    for (TernServer s : new TernServer[] {server, tlsServer}) {
      if (s != null) {
        s.shutdownNow();
        s.awaitTermination();
      }
    }
  }

  private String url(String method) {
    return "http://127.0.0.1:" + server.port() + "/" + WebService.SERVICE + "/" + method;
  }

  @Test
  void connectUnaryOverH2c() throws Exception {
    RawHttp1.Response r = Curl.run("hello".getBytes(UTF_8), "--http2-prior-knowledge",
        "-H", "content-type: application/proto", url("Echo"));
    assertEquals(200, r.status());
    assertEquals("hello", new String(r.body(), UTF_8));
  }

  @Test
  void grpcWebServerStreamOverH2c() throws Exception {
    RawHttp1.Response r = Curl.run(frame(0, "100"), "--http2-prior-knowledge",
        "-H", "content-type: application/grpc-web+proto", url("Count"));
    List<String[]> frames = frames(r.body());
    assertEquals(101, frames.size());
    assertEquals("grpc-status: 0\r\n", frames.get(100)[1]);
  }

  @Test
  void connectBidiOverH2c() throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(frame(0, "a"));
    body.writeBytes(frame(0, "b"));
    RawHttp1.Response r = Curl.run(body.toByteArray(), "--http2-prior-knowledge",
        "-H", "content-type: application/connect+proto", url("Chat"));
    List<String[]> frames = frames(r.body());
    assertEquals("a", frames.get(0)[1]);
    assertEquals("b", frames.get(1)[1]);
    assertEquals("2", frames.get(2)[0]);
  }

  @Test
  void connectErrorOverH2cHasHttpStatusOfCode() throws Exception {
    RawHttp1.Response r = Curl.run("x".getBytes(UTF_8), "--http2-prior-knowledge",
        "-H", "content-type: application/proto", url("Fail"));
    assertEquals(400, r.status());
    assertTrue(new String(r.body(), UTF_8).contains("\"code\":\"invalid_argument\""));
  }

  @Test
  void corsPreflightOverH2c() throws Exception {
    RawHttp1.Response r = Curl.run(null, "--http2-prior-knowledge", "-X", "OPTIONS",
        "-H", "origin: https://a.example", "-H", "access-control-request-method: POST",
        url("Echo"));
    assertEquals(204, r.status());
    assertEquals("https://a.example", r.header("access-control-allow-origin"));
  }

  @Test
  void connectGzipRequestAndResponse() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
      gz.write("z".repeat(1000).getBytes(UTF_8));
    }
    RawHttp1.Response r = Curl.run(zipped.toByteArray(), "--http2-prior-knowledge",
        "-H", "content-type: application/proto", "-H", "content-encoding: gzip",
        "-H", "accept-encoding: gzip", url("Echo"));
    assertEquals(200, r.status());
    assertEquals("gzip", r.header("content-encoding"));
    try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
        new java.io.ByteArrayInputStream(r.body()))) {
      assertEquals("z".repeat(1000), new String(in.readAllBytes(), UTF_8));
    }
  }

  @Test
  void tlsAlpnHttp1ServesConnect() throws Exception {
    RawHttp1.Response r = Curl.run("tls".getBytes(UTF_8), "--http1.1", "-k",
        "-H", "content-type: application/proto",
        "https://127.0.0.1:" + tlsServer.port() + "/" + WebService.SERVICE + "/Echo");
    assertEquals(200, r.status());
    assertEquals("tls", new String(r.body(), UTF_8));
  }

  @Test
  void tlsAlpnH2ServesGrpcWeb() throws Exception {
    RawHttp1.Response r = Curl.run(frame(0, "x"), "--http2", "-k",
        "-H", "content-type: application/grpc-web",
        "https://127.0.0.1:" + tlsServer.port() + "/" + WebService.SERVICE + "/Echo");
    assertEquals(200, r.status());
    assertEquals("x", frames(r.body()).get(0)[1]);
  }
}
