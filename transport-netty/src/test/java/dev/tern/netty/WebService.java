package dev.tern.netty;

import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.stub.ServerCalls;
import dev.tern.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/** A string service for the web protocol tests. */
final class WebService {
  static final Marshaller<String> STRING = TestMethods.STRING;
  static final String SERVICE = "tern.web.Test";
  static final Metadata.Key<String> ECHO_KEY = Metadata.Key.ascii("x-echo");
  static final Metadata.Key<byte[]> DETAILS_KEY = Metadata.Key.binary("grpc-status-details-bin");
  /**
   * A serialized google.rpc.Status{code: 3, message: "bad", details: [Any{type_url:
   * "type.googleapis.com/google.rpc.ErrorInfo", value: 0x0a 0x01 'x'}]}.
   */
  static final byte[] DETAILS = details();

  /** Counted down when Slow's handler hears onCancel. */
  final CountDownLatch slowCancelled = new CountDownLatch(1);
  /** Counted down when Slow's handler has started. */
  final CountDownLatch slowStarted = new CountDownLatch(1);

  static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type,
      boolean safe) {
    return MethodDescriptor.newBuilder(STRING, STRING).setFullMethodName(SERVICE + "/" + name)
        .setType(type).setSafe(safe).build();
  }

  static final MethodDescriptor<String, String> ECHO =
      method("Echo", MethodDescriptor.MethodType.UNARY, true);
  static final MethodDescriptor<String, String> POST_ONLY =
      method("PostOnly", MethodDescriptor.MethodType.UNARY, false);
  static final MethodDescriptor<String, String> COUNT =
      method("Count", MethodDescriptor.MethodType.SERVER_STREAMING, false);
  static final MethodDescriptor<String, String> FAIL =
      method("Fail", MethodDescriptor.MethodType.UNARY, false);
  static final MethodDescriptor<String, String> SLOW =
      method("Slow", MethodDescriptor.MethodType.UNARY, false);
  static final MethodDescriptor<String, String> JOIN =
      method("Join", MethodDescriptor.MethodType.CLIENT_STREAMING, false);
  static final MethodDescriptor<String, String> CHAT =
      method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING, false);

  ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((req, obs) -> {
          obs.onNext(req);
          obs.onCompleted();
        }))
        .addMethod(POST_ONLY, ServerCalls.asyncUnaryCall((req, obs) -> {
          obs.onNext(req);
          obs.onCompleted();
        }))
        .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, obs) -> {
          int n = Integer.parseInt(req);
          for (int i = 1; i <= n; i++) {
            obs.onNext(Integer.toString(i));
          }
          obs.onCompleted();
        }))
        .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, obs) -> {
          Metadata trailers = new Metadata();
          trailers.put(DETAILS_KEY, DETAILS);
          obs.onError(Status.INVALID_ARGUMENT.withDescription("bad").asRuntimeException(trailers));
        }))
        // On the raw call API: its listener hears onCancel even if the deadline passes before
        // a unary handler would have run.
        .addMethod(SLOW, (call, headers) -> {
          call.request(1);
          slowStarted.countDown();
          return new dev.tern.ServerCall.Listener<>() {
            @Override
            public void onCancel() {
              slowCancelled.countDown();
            }
          };
        })
        .addMethod(JOIN, ServerCalls.<String, String>asyncClientStreamingCall(
            (StreamObserver<String> obs) -> new StreamObserver<String>() {
          private final StringBuilder joined = new StringBuilder();

          @Override
          public void onNext(String value) {
            joined.append(value);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            obs.onNext(joined.toString());
            obs.onCompleted();
          }
        }))
        .addMethod(CHAT, ServerCalls.<String, String>asyncBidiStreamingCall(
            (StreamObserver<String> obs) -> new StreamObserver<String>() {
          @Override
          public void onNext(String value) {
            obs.onNext(value);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            obs.onCompleted();
          }
        }))
        .build();
  }

  private static byte[] details() {
    byte[] type = "type.googleapis.com/google.rpc.ErrorInfo".getBytes(StandardCharsets.UTF_8);
    byte[] value = {0x0a, 0x01, 'x'};
    java.io.ByteArrayOutputStream any = new java.io.ByteArrayOutputStream();
    any.write(0x0a);
    any.write(type.length);
    any.writeBytes(type);
    any.write(0x12);
    any.write(value.length);
    any.writeBytes(value);
    byte[] anyBytes = any.toByteArray();
    java.io.ByteArrayOutputStream status = new java.io.ByteArrayOutputStream();
    status.write(0x08);
    status.write(3);
    status.write(0x12);
    status.write(3);
    status.writeBytes("bad".getBytes(StandardCharsets.UTF_8));
    status.write(0x1a);
    status.write(anyBytes.length);
    status.writeBytes(anyBytes);
    return status.toByteArray();
  }

  /** A gRPC length-prefixed message. */
  static byte[] frame(int flags, String message) {
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    byte[] f = new byte[5 + m.length];
    f[0] = (byte) flags;
    f[1] = (byte) (m.length >>> 24);
    f[2] = (byte) (m.length >>> 16);
    f[3] = (byte) (m.length >>> 8);
    f[4] = (byte) m.length;
    System.arraycopy(m, 0, f, 5, m.length);
    return f;
  }

  /** The frames of a body: {flags, payload as UTF-8}. */
  static java.util.List<String[]> frames(byte[] body) {
    java.util.List<String[]> out = new java.util.ArrayList<>();
    int i = 0;
    while (i < body.length) {
      int flags = body[i] & 0xff;
      int len = ((body[i + 1] & 0xff) << 24) | ((body[i + 2] & 0xff) << 16)
          | ((body[i + 3] & 0xff) << 8) | (body[i + 4] & 0xff);
      out.add(new String[] {Integer.toString(flags),
          new String(body, i + 5, len, StandardCharsets.UTF_8)});
      i += 5 + len;
    }
    return out;
  }

  private WebService() {}

  static WebService create() {
    return new WebService();
  }
}
