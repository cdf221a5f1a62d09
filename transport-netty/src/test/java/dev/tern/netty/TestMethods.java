package dev.tern.netty;

import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Hand-written methods and an echo service for transport tests. */
final class TestMethods {
  static final Marshaller<String> STRING = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };

  /** n zero bytes, parsed back to n: sized messages (and compression bombs) without arrays. */
  static final Marshaller<Integer> ZEROS = new Marshaller<>() {
    @Override
    public void write(Integer value, ByteBuf out) {
      out.writeZero(value);
    }

    @Override
    public int serializedSize(Integer value) {
      return value;
    }

    @Override
    public Integer parse(ByteBuf in) {
      return in.readableBytes();
    }
  };

  static final MethodDescriptor<String, String> UNARY = method("Unary");
  static final MethodDescriptor<String, String> FAIL = method("Fail");
  static final MethodDescriptor<String, String> THROW = method("Throw");
  static final MethodDescriptor<String, String> MISSING = method("Missing");

  static final Metadata.Key<String> ASCII_KEY = Metadata.Key.ascii("x-echo-ascii");
  static final Metadata.Key<byte[]> BINARY_KEY = Metadata.Key.binary("x-echo-bin");

  private TestMethods() {}

  static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.newBuilder(STRING, STRING)
        .setFullMethodName("tern.test.Echo/" + name)
        .setType(MethodDescriptor.MethodType.UNARY)
        .build();
  }

  /** Echo answers the request; Fail answers the request text as a status; Throw throws. */
  static ServerServiceDefinition echoService() {
    return ServerServiceDefinition.builder("tern.test.Echo")
        .addMethod(UNARY, unary((request, headers, call) -> {
          Metadata responseHeaders = new Metadata();
          copy(headers, responseHeaders);
          call.sendHeaders(responseHeaders);
          call.sendMessage(request);
          Metadata trailers = new Metadata();
          copy(headers, trailers);
          call.close(Status.OK, trailers);
        }))
        .addMethod(FAIL, unary((request, headers, call) ->
            call.close(Status.INVALID_ARGUMENT.withDescription(request), new Metadata())))
        .addMethod(THROW, unary((request, headers, call) -> {
          throw new IllegalStateException("secret detail");
        }))
        .build();
  }

  private static void copy(Metadata from, Metadata to) {
    String ascii = from.get(ASCII_KEY);
    if (ascii != null) {
      to.put(ASCII_KEY, ascii);
    }
    byte[] bin = from.get(BINARY_KEY);
    if (bin != null) {
      to.put(BINARY_KEY, bin);
    }
  }

  interface UnaryHandler {
    void handle(String request, Metadata headers, ServerCall<String, String> call);
  }

  /** A unary handler on the raw call API: requests one message, handles it on half-close. */
  static ServerCallHandler<String, String> unary(UnaryHandler handler) {
    return (call, headers) -> {
      call.request(1);
      return new ServerCall.Listener<>() {
        private String request;

        @Override
        public void onMessage(String message) {
          request = message;
        }

        @Override
        public void onHalfClose() {
          handler.handle(request, headers, call);
        }
      };
    };
  }
}
