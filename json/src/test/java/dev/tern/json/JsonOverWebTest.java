package dev.tern.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.SourceContext;
import dev.tern.MethodDescriptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.netty.TernServer;
import dev.tern.protobuf.ProtoMarshaller;
import dev.tern.stub.ServerCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JSON bodies for Connect and gRPC-Web, served by a TernServer with tern-json on the path. */
class JsonOverWebTest {
  private static final MethodDescriptor<SourceContext, SourceContext> ECHO =
      MethodDescriptor.newBuilder(ProtoMarshaller.of(SourceContext.getDefaultInstance()),
              ProtoMarshaller.of(SourceContext.getDefaultInstance()))
          .setFullMethodName("tern.json.Test/Echo")
          .setType(MethodDescriptor.MethodType.UNARY)
          .build();

  private TernServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .build();

  @BeforeEach
  void start() throws Exception {
    server = TernServer.builder()
        .addService(ServerServiceDefinition.builder("tern.json.Test")
            .addMethod(ECHO, ServerCalls.asyncUnaryCall((req, obs) -> {
              obs.onNext(req.toBuilder().setFileName(req.getFileName() + "!").build());
              obs.onCompleted();
            }))
            .build())
        .build().start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow();
    server.awaitTermination();
  }

  private HttpResponse<byte[]> post(String contentType, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/tern.json.Test/Echo"))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void connectUnaryJsonUsesProto3JsonMapping() throws Exception {
    HttpResponse<byte[]> r = post("application/json",
        "{\"fileName\":\"a.proto\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
    assertEquals("{\"fileName\":\"a.proto!\"}", new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  void connectUnaryJsonAcceptsProtoFieldNames() throws Exception {
    HttpResponse<byte[]> r = post("application/json",
        "{\"file_name\":\"b\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals("{\"fileName\":\"b!\"}", new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  void invalidJsonIsInvalidArgument() throws Exception {
    HttpResponse<byte[]> r = post("application/json",
        "{\"fileName\":".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, r.statusCode());
    assertTrue(new String(r.body(), StandardCharsets.UTF_8)
        .startsWith("{\"code\":\"invalid_argument\""));
  }

  @Test
  void grpcWebJsonFramesJsonMessages() throws Exception {
    byte[] json = "{\"fileName\":\"c\"}".getBytes(StandardCharsets.UTF_8);
    byte[] frame = new byte[5 + json.length];
    frame[4] = (byte) json.length;
    System.arraycopy(json, 0, frame, 5, json.length);
    HttpResponse<byte[]> r = post("application/grpc-web+json", frame);
    assertEquals("application/grpc-web+json",
        r.headers().firstValue("content-type").orElseThrow());
    String body = new String(r.body(), 5, r.body()[4], StandardCharsets.UTF_8);
    assertEquals("{\"fileName\":\"c!\"}", body);
  }
}
