package dev.tern.netty;

import static dev.tern.netty.RawHttp1.request;
import static dev.tern.netty.WebService.frame;
import static dev.tern.netty.WebService.frames;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gRPC-Web and Connect over HTTP/1.1 on the server's one port, from a raw socket. */
class WebHttp1Test {
  private final WebService service = WebService.create();
  private final ConcurrentLinkedQueue<String> intercepted = new ConcurrentLinkedQueue<>();
  private TernServer server;

  @BeforeEach
  void start() throws Exception {
    ServerInterceptor recorder = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        intercepted.add(call.getMethodDescriptor().getBareMethodName() + " "
            + headers.get(WebService.ECHO_KEY));
        return next.startCall(call, headers);
      }
    };
    server = TernServer.builder().addService(service.definition()).intercept(recorder)
        .corsAllowedOrigins("https://app.example").corsAllowedHeaders("x-echo")
        // Long enough for a loaded machine to send a whole request; slowRequestGets408AndClose
        // waits it out once.
        .http1RequestTimeout(2, TimeUnit.SECONDS)
        .maxInboundMessageSize(1024)
        .build().start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow();
    server.awaitTermination();
  }

  private RawHttp1.Response call(byte[] request) throws Exception {
    try (RawHttp1 http = new RawHttp1(server.port())) {
      return http.exchange(request);
    }
  }

  private static String path(String method) {
    return "/" + WebService.SERVICE + "/" + method;
  }

  @Test
  void grpcWebUnaryAnswersMessageThenTrailerFrame() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Echo"), frame(0, "hi"),
        "Content-Type", "application/grpc-web+proto", "X-Grpc-Web", "1", "x-echo", "e"));
    assertEquals(200, r.status());
    assertEquals("application/grpc-web+proto", r.header("content-type"));
    List<String[]> frames = frames(r.body());
    assertEquals(2, frames.size());
    assertEquals("hi", frames.get(0)[1]);
    assertEquals("128", frames.get(1)[0]);
    assertEquals("grpc-status: 0\r\n", frames.get(1)[1]);
    assertEquals(List.of("Echo e"), List.copyOf(intercepted));
  }

  @Test
  void grpcWebTextIsBase64BothWays() throws Exception {
    byte[] body = Base64.getEncoder().encode(frame(0, "hi"));
    RawHttp1.Response r = call(request("POST", path("Echo"), body,
        "Content-Type", "application/grpc-web-text"));
    assertEquals("application/grpc-web-text", r.header("content-type"));
    // Each frame is encoded on its own: decode chunk by chunk, at each padding boundary.
    String text = r.text();
    StringBuilder decoded = new StringBuilder();
    byte[] all = decodeConcatenated(text);
    List<String[]> frames = frames(all);
    decoded.append(frames.get(0)[1]).append('|').append(frames.get(1)[1]);
    assertEquals("hi|grpc-status: 0\r\n", decoded.toString());
  }

  private static byte[] decodeConcatenated(String text) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int start = 0;
    for (int i = 0; i + 4 <= text.length(); i += 4) {
      if (text.charAt(i + 3) == '=' || i + 4 == text.length()) {
        out.writeBytes(Base64.getDecoder().decode(text.substring(start, i + 4)));
        start = i + 4;
      }
    }
    return out.toByteArray();
  }

  @Test
  void grpcWebServerStreamsHundredMessages() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Count"), frame(0, "100"),
        "Content-Type", "application/grpc-web+proto"));
    List<String[]> frames = frames(r.body());
    assertEquals(101, frames.size());
    assertEquals("100", frames.get(99)[1]);
    assertEquals("grpc-status: 0\r\n", frames.get(100)[1]);
  }

  @Test
  void grpcWebErrorBeforeAnyMessageIsTrailersOnly() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Fail"), frame(0, "x"),
        "Content-Type", "application/grpc-web"));
    assertEquals(200, r.status());
    assertEquals("3", r.header("grpc-status"));
    assertEquals("bad", r.header("grpc-message"));
    assertEquals(Base64.getEncoder().withoutPadding().encodeToString(WebService.DETAILS),
        r.header("grpc-status-details-bin"));
    assertEquals(0, r.body().length);
  }

  @Test
  void grpcWebRefusesClientStreaming() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Join"), frame(0, "x"),
        "Content-Type", "application/grpc-web"));
    assertEquals("12", r.header("grpc-status"));
    assertTrue(r.header("grpc-message").contains("client or bidi streaming"));
  }

  @Test
  void truncatedGrpcWebFrameIsInternalError() throws Exception {
    byte[] f = frame(0, "hello");
    byte[] truncated = java.util.Arrays.copyOf(f, f.length - 2);
    RawHttp1.Response r = call(request("POST", path("Echo"), truncated,
        "Content-Type", "application/grpc-web"));
    assertEquals("13", r.header("grpc-status"));
  }

  @Test
  void badBase64IsInternalError() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Echo"), "AAA*AAAA".getBytes(UTF_8),
        "Content-Type", "application/grpc-web-text"));
    assertEquals("13", r.header("grpc-status"));
    assertTrue(r.header("grpc-message").contains("base64"), r.header("grpc-message"));
  }

  @Test
  void connectUnaryAnswersUnframedMessage() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Echo"), "hello".getBytes(UTF_8),
        "Content-Type", "application/proto", "Connect-Protocol-Version", "1"));
    assertEquals(200, r.status());
    assertEquals("application/proto", r.header("content-type"));
    assertEquals("hello", r.text());
  }

  @Test
  void connectErrorIsJsonWithDetails() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Fail"), "x".getBytes(UTF_8),
        "Content-Type", "application/proto"));
    assertEquals(400, r.status());
    assertEquals("application/json", r.header("content-type"));
    assertEquals("{\"code\":\"invalid_argument\",\"message\":\"bad\",\"details\":[{\"type\":"
        + "\"google.rpc.ErrorInfo\",\"value\":\"CgF4\"}]}", r.text());
  }

  @Test
  void connectTimeoutEndsCallWithDeadlineExceeded() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Slow"), "x".getBytes(UTF_8),
        "Content-Type", "application/proto", "Connect-Timeout-Ms", "50"));
    assertEquals(504, r.status());
    assertTrue(r.text().startsWith("{\"code\":\"deadline_exceeded\""), r.text());
    assertTrue(service.slowCancelled.await(10, TimeUnit.SECONDS));
  }

  @Test
  void grpcWebTimeoutEndsCallWithDeadlineExceeded() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Slow"), frame(0, "x"),
        "Content-Type", "application/grpc-web", "grpc-timeout", "50m"));
    assertEquals("4", r.header("grpc-status"));
    assertTrue(service.slowCancelled.await(10, TimeUnit.SECONDS));
  }

  @Test
  void clientClosingConnectionCancelsCall() throws Exception {
    try (RawHttp1 http = new RawHttp1(server.port())) {
      http.send(request("POST", path("Slow"), "x".getBytes(UTF_8),
          "Content-Type", "application/proto"));
      assertTrue(service.slowStarted.await(10, TimeUnit.SECONDS));
    }
    assertTrue(service.slowCancelled.await(10, TimeUnit.SECONDS));
  }

  @Test
  void connectClientStreamOverHttp1() throws Exception {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(frame(0, "a"));
    body.writeBytes(frame(0, "b"));
    RawHttp1.Response r = call(request("POST", path("Join"), body.toByteArray(),
        "Content-Type", "application/connect+proto"));
    assertEquals(200, r.status());
    List<String[]> frames = frames(r.body());
    assertEquals("ab", frames.get(0)[1]);
    assertEquals("2", frames.get(1)[0]);
    assertEquals("{}", frames.get(1)[1]);
  }

  @Test
  void connectStreamErrorIsEndStreamJson() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Count"), frame(0, "nope"),
        "Content-Type", "application/connect+proto"));
    assertEquals(200, r.status());
    List<String[]> frames = frames(r.body());
    assertEquals("2", frames.get(0)[0]);
    assertTrue(frames.get(0)[1].startsWith("{\"error\":{\"code\":\"internal\""), frames.get(0)[1]);
  }

  @Test
  void connectBidiNeedsHttp2() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Chat"), frame(0, "a"),
        "Content-Type", "application/connect+proto"));
    assertEquals(505, r.status());
  }

  @Test
  void connectGetServesSafeMethod() throws Exception {
    String message = Base64.getUrlEncoder().withoutPadding().encodeToString("hey".getBytes(UTF_8));
    RawHttp1.Response r = call(request("GET", path("Echo") + "?encoding=proto&base64=1&connect=v1"
        + "&message=" + message, null));
    assertEquals(200, r.status());
    assertEquals("hey", r.text());
  }

  @Test
  void connectGetRefusesMethodWithSideEffects() throws Exception {
    RawHttp1.Response r = call(request("GET", path("PostOnly") + "?encoding=proto&message=x",
        null));
    assertEquals(405, r.status());
  }

  @Test
  void connectGetWithInvalidMessageIsInvalidArgument() throws Exception {
    RawHttp1.Response r = call(request("GET", path("Echo") + "?encoding=proto&base64=1"
        + "&message=%%%", null));
    assertEquals(400, r.status());
    assertTrue(r.text().contains("invalid_argument"), r.text());
  }

  @Test
  void unknownMethodOverConnectIsUnimplemented() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Nope"), "x".getBytes(UTF_8),
        "Content-Type", "application/proto"));
    assertEquals(501, r.status());
    assertTrue(r.text().contains("unimplemented"), r.text());
  }

  @Test
  void jsonWithoutTernJsonIsRefusedNamingTheModule() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Echo"), "{}".getBytes(UTF_8),
        "Content-Type", "application/json"));
    assertEquals(415, r.status());
    assertTrue(r.text().contains("tern-json"), r.text());
  }

  @Test
  void grpcOverHttp1IsRefused() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Echo"), frame(0, "x"),
        "Content-Type", "application/grpc"));
    assertEquals(415, r.status());
    assertTrue(r.text().contains("HTTP/2"), r.text());
  }

  @Test
  void corsPreflightGrantsAllowedOrigin() throws Exception {
    RawHttp1.Response r = call(request("OPTIONS", path("Echo"), null,
        "Origin", "https://app.example", "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "content-type,x-echo"));
    assertEquals(204, r.status());
    assertEquals("https://app.example", r.header("access-control-allow-origin"));
    assertEquals("POST, GET", r.header("access-control-allow-methods"));
    assertTrue(r.header("access-control-allow-headers").contains("connect-timeout-ms"));
    assertTrue(r.header("access-control-allow-headers").contains("x-echo"));
    assertEquals("7200", r.header("access-control-max-age"));
  }

  @Test
  void corsPreflightFromOtherOriginGetsNoGrant() throws Exception {
    RawHttp1.Response r = call(request("OPTIONS", path("Echo"), null,
        "Origin", "https://evil.example", "Access-Control-Request-Method", "POST"));
    assertNull(r.header("access-control-allow-origin"));
  }

  @Test
  void corsResponseExposesStatusHeaders() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Echo"), frame(0, "hi"),
        "Content-Type", "application/grpc-web", "Origin", "https://app.example"));
    assertEquals("https://app.example", r.header("access-control-allow-origin"));
    assertTrue(r.header("access-control-expose-headers").contains("grpc-status-details-bin"));
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
    try (RawHttp1 http = new RawHttp1(server.port())) {
      for (int i = 0; i < 3; i++) {
        RawHttp1.Response r = http.exchange(request("POST", path("Echo"),
            ("m" + i).getBytes(UTF_8), "Content-Type", "application/proto"));
        assertEquals("m" + i, r.text());
      }
    }
  }

  @Test
  void oversizedBodyGets413AndClose() throws Exception {
    try (RawHttp1 http = new RawHttp1(server.port())) {
      RawHttp1.Response r = http.exchange(request("POST", path("Echo"), new byte[4096],
          "Content-Type", "application/proto"));
      assertEquals(413, r.status());
      assertTrue(http.closedByServer());
    }
    assertServerStillAnswers();
  }

  @Test
  void slowRequestGets408AndClose() throws Exception {
    try (RawHttp1 http = new RawHttp1(server.port())) {
      http.send("POST /x HTTP/1.1\r\nHost: a\r\n".getBytes(UTF_8));
      RawHttp1.Response r = http.read();
      assertEquals(408, r.status());
      assertTrue(http.closedByServer());
    }
    assertServerStillAnswers();
  }

  @Test
  void malformedRequestGets400AndClose() throws Exception {
    try (RawHttp1 http = new RawHttp1(server.port())) {
      RawHttp1.Response r = http.exchange(("POST /x HTTP/1.1\r\nHost: a\r\n"
          + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").getBytes(UTF_8));
      assertEquals(400, r.status());
      assertTrue(http.closedByServer());
    }
    assertServerStillAnswers();
  }

  @Test
  void pipelinedRequestClosesConnectionAfterFirstResponse() throws Exception {
    try (RawHttp1 http = new RawHttp1(server.port())) {
      byte[] one = request("POST", path("Echo"), "a".getBytes(UTF_8),
          "Content-Type", "application/proto");
      byte[] both = new byte[one.length * 2];
      System.arraycopy(one, 0, both, 0, one.length);
      System.arraycopy(one, 0, both, one.length, one.length);
      RawHttp1.Response r = http.exchange(both);
      assertEquals("a", r.text());
      assertEquals("close", r.header("connection"));
      assertTrue(http.closedByServer());
    }
  }

  private void assertServerStillAnswers() throws Exception {
    RawHttp1.Response r = call(request("POST", path("Echo"), "ok".getBytes(UTF_8),
        "Content-Type", "application/proto"));
    assertNotNull(r);
    assertEquals("ok", r.text());
  }
}
