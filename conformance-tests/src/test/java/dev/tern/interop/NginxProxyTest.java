package dev.tern.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.tern.interop.proto.Messages.Payload;
import dev.tern.interop.proto.Messages.SimpleRequest;
import dev.tern.interop.proto.Messages.SimpleResponse;
import dev.tern.interop.proto.TestServiceTern;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Client;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Tern's interop server behind Debian's nginx 1.22 ({@code grpc_pass}, HTTP/2 on loopback, two
 * upstream servers over kept-alive connections), with Tern's and grpc-java's interop clients in
 * front. After every test nginx's error log must not say "upstream sent frame for unknown
 * stream": a frame on a stream nginx considers closed fails the next request on that connection
 * with HTTP 502.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NginxProxyTest {
  /** The cases a round of the repeated test runs: early answers among every call kind. */
  static final List<String> REPEATED = List.of("unimplemented_method", "empty_unary",
      "status_code_and_message", "unimplemented_service", "client_streaming",
      "timeout_on_sleeping_server", "server_streaming", "custom_metadata", "ping_pong",
      "cancel_after_begin", "empty_stream");
  /**
   * 80 rounds of the cases above: over 1,000 calls. Before the fix about 1 call in 384 through
   * nginx got 502.
   */
  static final int ROUNDS = 80;
  static final List<String> CASES = InteropTestCases.CASES;
  /** grpc-java's client through nginx: every call kind, metadata, errors, deadline, cancel. */
  static final List<String> GRPC_JAVA_CASES = List.of("empty_unary", "large_unary",
      "client_streaming", "server_streaming", "ping_pong", "empty_stream", "custom_metadata",
      "status_code_and_message", "special_status_message", "unimplemented_method",
      "unimplemented_service", "cancel_after_begin", "cancel_after_first_response",
      "timeout_on_sleeping_server", "very_large_request");
  private static final int TEN_MIB = 10 * 1024 * 1024;
  private static final String UNIMPLEMENTED_PATH = "/grpc.testing.TestService/UnimplementedCall";
  /** Requests in flight at once through nginx, so it keeps several upstream connections busy. */
  static final int SPLIT_STREAMS = 8;
  static final int SPLIT_ROUNDS = 100;

  private static TernServer first;
  private static TernServer second;
  private static NginxProxy nginx;

  @BeforeAll
  static void start() throws Exception {
    NginxProxy.assumeInstalled();
    first = InteropServer.start(0, null);
    second = InteropServer.start(0, null);
    nginx = NginxProxy.start(first.port(), second.port());
  }

  @AfterAll
  static void stop() throws Exception {
    if (nginx != null) {
      nginx.close();
    }
    for (TernServer s : new TernServer[] {first, second}) {
      if (s != null) {
        s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @AfterEach
  void nginxSawNoFrameOnAClosedStream() {
    assertEquals(List.of(), nginx.errorLogLines(NginxProxy.UNKNOWN_STREAM));
  }

  @Test
  @Order(2)
  void earlyAnswersAmongEveryCallKindNeverGet502() throws Exception {
    TernChannel channel = newChannel();
    try {
      InteropTestCases cases = new InteropTestCases(channel, NginxProxyTest::newChannel,
          TernToTernInteropTest.options());
      for (int round = 0; round < ROUNDS; round++) {
        for (String testCase : REPEATED) {
          try {
            cases.run(testCase);
          } catch (Exception | AssertionError e) {
            throw new AssertionError(testCase + " failed in round " + round + "; nginx: "
                + nginx.errorLogLines("[error]"), e);
          }
        }
      }
    } finally {
      InteropTestCases.shutdown(channel);
    }
  }

  @Test
  @Order(1)
  void requestsWhoseEndCrossesAnEarlyAnswerNeverGet502() throws Exception {
    // HEADERS, then DATA with END_STREAM in a separate write (as Python's and Node's clients may
    // send a unary request; first, while the servers are fresh, as when the 502 was seen): nginx forwards the request's end while the server's Trailers-Only
    // UNIMPLEMENTED is on its way, keeps the connection alive and reuses it at once. A frame
    // the server sent after its answer then lands on the next request.
    try (RawHttp2Client client = RawHttp2Client.connect(nginx.port())) {
      for (int round = 0; round < SPLIT_ROUNDS; round++) {
        int[] ids = new int[SPLIT_STREAMS];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = client.newStream(GrpcWire.requestHeaders(UNIMPLEMENTED_PATH), false);
        }
        if (round % 2 == 1) {
          // A PING round trip with nginx between the halves: it has forwarded the HEADERS.
          client.barrier();
        }
        for (int id : ids) {
          client.data(id, GrpcWire.lengthPrefixed(new byte[0]), true);
        }
        for (int id : ids) {
          RawFrame answer = client.nextFrame(id, RawFrame.Type.HEADERS);
          assertEquals("200", answer.header(":status"),
              () -> answer + "; nginx: " + nginx.errorLogLines("[error]"));
          assertEquals("12", answer.header("grpc-status"), answer::toString);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  @Order(3)
  void ternClient(String testCase) throws Exception {
    TernChannel channel = newChannel();
    try {
      new InteropTestCases(channel, NginxProxyTest::newChannel, TernToTernInteropTest.options())
          .run(testCase);
    } finally {
      InteropTestCases.shutdown(channel);
    }
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("GRPC_JAVA_CASES")
  @Order(4)
  void grpcJavaClient(String testCase) throws Exception {
    GrpcJavaClientToTernServerTest.runGrpcJavaClient(testCase, nginx.port(), false);
  }

  @Test
  @Order(5)
  void tenMebibyteMessagesPassBothWays() {
    TernChannel channel = newChannel();
    try {
      SimpleResponse response = TestServiceTern.newBlockingStub(channel).unaryCall(
          SimpleRequest.newBuilder()
              .setResponseSize(TEN_MIB)
              .setPayload(Payload.newBuilder().setBody(ByteString.copyFrom(new byte[TEN_MIB])))
              .build());
      assertEquals(TEN_MIB, response.getPayload().getBody().size());
    } finally {
      InteropTestCases.shutdown(channel);
    }
  }

  private static TernChannel newChannel() {
    return InteropClient.newChannel("127.0.0.1", nginx.port(), null, null);
  }
}
