package dev.tern.conformance;

import com.google.protobuf.StringValue;
import dev.tern.protobuf.ProtoMarshaller;
import io.grpc.protobuf.ProtoUtils;

/**
 * The service both implementations serve in the conformance tests, written once with Tern's API
 * and once with grpc-java's so either can be the server for either client. Hand-written method
 * descriptors over {@code google.protobuf.StringValue}.
 *
 * <ul>
 *   <li>{@code Echo}: answers the request; response headers and trailers carry a copy of every
 *       request metadata entry whose key starts with {@code x-echo-}.
 *   <li>{@code Fail}: fails with INVALID_ARGUMENT whose description is the request text, before
 *       any response (Trailers-Only), with the {@code x-echo-} entries as trailers.
 *   <li>{@code Throw}: the handler throws.
 *   <li>{@code Grow}: answers a string of as many {@code x} as the request's number.
 *   <li>{@code Gate}: waits for the test to release the gate named by the request, then echoes.
 * </ul>
 */
final class Contract {
  static final String SERVICE = "tern.conformance.Contract";
  static final String ECHO_PREFIX = "x-echo-";

  private Contract() {}

  static String fullName(String method) {
    return SERVICE + "/" + method;
  }

  // ---------------------------------------------------------------- method descriptors

  static dev.tern.MethodDescriptor<StringValue, StringValue> ternMethod(String method) {
    return dev.tern.MethodDescriptor.newBuilder(
            ProtoMarshaller.of(StringValue.getDefaultInstance()),
            ProtoMarshaller.of(StringValue.getDefaultInstance()))
        .setFullMethodName(fullName(method))
        .setType(dev.tern.MethodDescriptor.MethodType.UNARY)
        .build();
  }

  static io.grpc.MethodDescriptor<StringValue, StringValue> grpcMethod(String method) {
    return io.grpc.MethodDescriptor.<StringValue, StringValue>newBuilder()
        .setFullMethodName(fullName(method))
        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
        .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
        .build();
  }

  // ---------------------------------------------------------------- Tern implementation

  interface TernHandler {
    void handle(String request, dev.tern.Metadata headers,
        dev.tern.ServerCall<StringValue, StringValue> call);
  }

  static dev.tern.ServerServiceDefinition tern(Gates gates) {
    return dev.tern.ServerServiceDefinition.builder(SERVICE)
        .addMethod(ternMethod("Echo"), ternUnary((request, headers, call) ->
            ternReply(call, headers, request)))
        .addMethod(ternMethod("Fail"), ternUnary((request, headers, call) ->
            call.close(dev.tern.Status.INVALID_ARGUMENT.withDescription(request),
                echoed(headers))))
        .addMethod(ternMethod("Throw"), ternUnary((request, headers, call) -> {
          throw new IllegalStateException("secret detail that must not reach the client");
        }))
        .addMethod(ternMethod("Grow"), ternUnary((request, headers, call) ->
            ternReply(call, headers, "x".repeat(Integer.parseInt(request)))))
        .addMethod(ternMethod("Gate"), ternUnary((request, headers, call) -> {
          gates.arrived(request).complete(null);
          gates.released(request).thenRun(() -> ternReply(call, headers, request));
        }))
        .build();
  }

  private static void ternReply(dev.tern.ServerCall<StringValue, StringValue> call,
      dev.tern.Metadata requestHeaders, String response) {
    call.sendHeaders(echoed(requestHeaders));
    call.sendMessage(StringValue.of(response));
    call.close(dev.tern.Status.OK, echoed(requestHeaders));
  }

  private static dev.tern.Metadata echoed(dev.tern.Metadata headers) {
    return MetadataList.fromTern(headers).withPrefix(ECHO_PREFIX).toTern();
  }

  /** A unary handler on the raw call API: takes the request, acts on half-close. */
  static dev.tern.ServerCallHandler<StringValue, StringValue> ternUnary(TernHandler handler) {
    return (call, headers) -> {
      call.request(2);
      return new dev.tern.ServerCall.Listener<>() {
        private String request;

        @Override
        public void onMessage(StringValue message) {
          request = message.getValue();
        }

        @Override
        public void onHalfClose() {
          handler.handle(request, headers, call);
        }
      };
    };
  }

  // ---------------------------------------------------------------- grpc-java implementation

  interface GrpcHandler {
    void handle(String request, io.grpc.Metadata headers,
        io.grpc.ServerCall<StringValue, StringValue> call);
  }

  static io.grpc.ServerServiceDefinition grpc(Gates gates) {
    return io.grpc.ServerServiceDefinition.builder(SERVICE)
        .addMethod(grpcMethod("Echo"), grpcUnary((request, headers, call) ->
            grpcReply(call, headers, request)))
        .addMethod(grpcMethod("Fail"), grpcUnary((request, headers, call) ->
            call.close(io.grpc.Status.INVALID_ARGUMENT.withDescription(request),
                echoed(headers))))
        .addMethod(grpcMethod("Throw"), grpcUnary((request, headers, call) -> {
          throw new IllegalStateException("secret detail that must not reach the client");
        }))
        .addMethod(grpcMethod("Grow"), grpcUnary((request, headers, call) ->
            grpcReply(call, headers, "x".repeat(Integer.parseInt(request)))))
        .addMethod(grpcMethod("Gate"), grpcUnary((request, headers, call) -> {
          gates.arrived(request).complete(null);
          gates.released(request).thenRun(() -> grpcReply(call, headers, request));
        }))
        .build();
  }

  private static void grpcReply(io.grpc.ServerCall<StringValue, StringValue> call,
      io.grpc.Metadata requestHeaders, String response) {
    call.sendHeaders(echoed(requestHeaders));
    call.sendMessage(StringValue.of(response));
    call.close(io.grpc.Status.OK, echoed(requestHeaders));
  }

  private static io.grpc.Metadata echoed(io.grpc.Metadata headers) {
    return MetadataList.fromGrpc(headers).withPrefix(ECHO_PREFIX).toGrpc();
  }

  static io.grpc.ServerCallHandler<StringValue, StringValue> grpcUnary(GrpcHandler handler) {
    return (call, headers) -> {
      call.request(2);
      return new io.grpc.ServerCall.Listener<>() {
        private String request;

        @Override
        public void onMessage(StringValue message) {
          request = message.getValue();
        }

        @Override
        public void onHalfClose() {
          handler.handle(request, headers, call);
        }
      };
    };
  }
}
