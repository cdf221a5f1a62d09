package dev.tern.interop;

import dev.tern.MethodDescriptor;
import dev.tern.MethodDescriptor.MethodType;
import dev.tern.interop.proto.EmptyProtos.Empty;
import dev.tern.interop.proto.Messages.SimpleRequest;
import dev.tern.interop.proto.Messages.SimpleResponse;
import dev.tern.interop.proto.Messages.StreamingInputCallRequest;
import dev.tern.interop.proto.Messages.StreamingInputCallResponse;
import dev.tern.interop.proto.Messages.StreamingOutputCallRequest;
import dev.tern.interop.proto.Messages.StreamingOutputCallResponse;
import dev.tern.protobuf.ProtoMarshaller;
import com.google.protobuf.Message;

/**
 * The method descriptors of {@code grpc.testing.TestService} and
 * {@code grpc.testing.UnimplementedService} (test.proto). Stateless and thread-safe.
 */
final class InteropMethods {
  static final String SERVICE = "grpc.testing.TestService";
  static final String UNIMPLEMENTED_SERVICE = "grpc.testing.UnimplementedService";

  static final MethodDescriptor<Empty, Empty> EMPTY_CALL =
      method(SERVICE, "EmptyCall", MethodType.UNARY, Empty.getDefaultInstance(),
          Empty.getDefaultInstance());
  static final MethodDescriptor<SimpleRequest, SimpleResponse> UNARY_CALL =
      method(SERVICE, "UnaryCall", MethodType.UNARY, SimpleRequest.getDefaultInstance(),
          SimpleResponse.getDefaultInstance());
  static final MethodDescriptor<SimpleRequest, SimpleResponse> CACHEABLE_UNARY_CALL =
      method(SERVICE, "CacheableUnaryCall", MethodType.UNARY, SimpleRequest.getDefaultInstance(),
          SimpleResponse.getDefaultInstance());
  static final MethodDescriptor<StreamingOutputCallRequest, StreamingOutputCallResponse>
      STREAMING_OUTPUT_CALL = method(SERVICE, "StreamingOutputCall", MethodType.SERVER_STREAMING,
          StreamingOutputCallRequest.getDefaultInstance(),
          StreamingOutputCallResponse.getDefaultInstance());
  static final MethodDescriptor<StreamingInputCallRequest, StreamingInputCallResponse>
      STREAMING_INPUT_CALL = method(SERVICE, "StreamingInputCall", MethodType.CLIENT_STREAMING,
          StreamingInputCallRequest.getDefaultInstance(),
          StreamingInputCallResponse.getDefaultInstance());
  static final MethodDescriptor<StreamingOutputCallRequest, StreamingOutputCallResponse>
      FULL_DUPLEX_CALL = method(SERVICE, "FullDuplexCall", MethodType.BIDI_STREAMING,
          StreamingOutputCallRequest.getDefaultInstance(),
          StreamingOutputCallResponse.getDefaultInstance());
  static final MethodDescriptor<StreamingOutputCallRequest, StreamingOutputCallResponse>
      HALF_DUPLEX_CALL = method(SERVICE, "HalfDuplexCall", MethodType.BIDI_STREAMING,
          StreamingOutputCallRequest.getDefaultInstance(),
          StreamingOutputCallResponse.getDefaultInstance());
  static final MethodDescriptor<Empty, Empty> UNIMPLEMENTED_CALL =
      method(SERVICE, "UnimplementedCall", MethodType.UNARY, Empty.getDefaultInstance(),
          Empty.getDefaultInstance());
  static final MethodDescriptor<Empty, Empty> UNIMPLEMENTED_SERVICE_CALL =
      method(UNIMPLEMENTED_SERVICE, "UnimplementedCall", MethodType.UNARY,
          Empty.getDefaultInstance(), Empty.getDefaultInstance());

  private InteropMethods() {}

  private static <ReqT extends Message, RespT extends Message> MethodDescriptor<ReqT, RespT>
      method(String service, String name, MethodType type, ReqT request, RespT response) {
    return MethodDescriptor.newBuilder(ProtoMarshaller.of(request), ProtoMarshaller.of(response))
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
        .setType(type)
        .build();
  }
}
