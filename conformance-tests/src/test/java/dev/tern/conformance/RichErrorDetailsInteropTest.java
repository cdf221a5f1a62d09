package dev.tern.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.StringValue;
import com.google.rpc.BadRequest;
import dev.tern.CallOptions;
import dev.tern.ServerServiceDefinition;
import dev.tern.Status;
import dev.tern.netty.TernChannel;
import dev.tern.protobuf.ProtoMarshaller;
import dev.tern.protobuf.StatusProto;
import dev.tern.stub.ClientCalls;
import dev.tern.stub.ServerCalls;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code google.rpc.Status} details in {@code grpc-status-details-bin} cross between Tern and
 * grpc-java 1.85.1 both ways: a BadRequest with two field violations survives intact.
 */
class RichErrorDetailsInteropTest {
  private static final String SERVICE = "tern.test.Errors";
  private static final String METHOD = SERVICE + "/Validate";

  private static final BadRequest BAD_REQUEST = BadRequest.newBuilder()
      .addFieldViolations(BadRequest.FieldViolation.newBuilder()
          .setField("email").setDescription("not an address"))
      .addFieldViolations(BadRequest.FieldViolation.newBuilder()
          .setField("age").setDescription("must be positive"))
      .build();

  private static final com.google.rpc.Status RICH = com.google.rpc.Status.newBuilder()
      .setCode(Status.Code.INVALID_ARGUMENT.value())
      .setMessage("request has 2 invalid fields")
      .addDetails(com.google.protobuf.Any.pack(BAD_REQUEST))
      .build();

  private final TernPeer tern = new TernPeer();
  private final GrpcJavaPeer grpc = new GrpcJavaPeer();

  @AfterEach
  void close() {
    tern.close();
    grpc.close();
  }

  private static final dev.tern.MethodDescriptor<StringValue, StringValue> TERN_METHOD =
      dev.tern.MethodDescriptor.newBuilder(ProtoMarshaller.of(StringValue.getDefaultInstance()),
              ProtoMarshaller.of(StringValue.getDefaultInstance()))
          .setFullMethodName(METHOD)
          .setType(dev.tern.MethodDescriptor.MethodType.UNARY)
          .build();

  private static final io.grpc.MethodDescriptor<StringValue, StringValue> GRPC_METHOD =
      io.grpc.MethodDescriptor.<StringValue, StringValue>newBuilder()
          .setFullMethodName(METHOD)
          .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
          .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
          .build();

  @Test
  void grpcJavaClientReadsBadRequestFromTernServer() throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
        .addMethod(TERN_METHOD, ServerCalls.asyncUnaryCall(
            (StringValue request, dev.tern.stub.StreamObserver<StringValue> response) ->
                response.onError(StatusProto.toStatusRuntimeException(RICH))))
        .build();
    int port = tern.startServer(b -> b.addService(service)).port();
    ManagedChannel channel = grpc.newChannel(port, b -> {});

    io.grpc.StatusRuntimeException e = assertThrows(io.grpc.StatusRuntimeException.class, () ->
        io.grpc.stub.ClientCalls.blockingUnaryCall(channel, GRPC_METHOD,
            io.grpc.CallOptions.DEFAULT, StringValue.of("x")));

    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    com.google.rpc.Status read = io.grpc.protobuf.StatusProto.fromThrowable(e);
    assertEquals(RICH, read);
    BadRequest bad = read.getDetails(0).unpack(BadRequest.class);
    assertEquals(2, bad.getFieldViolationsCount());
    assertEquals("email", bad.getFieldViolations(0).getField());
    assertEquals("must be positive", bad.getFieldViolations(1).getDescription());
  }

  @Test
  void ternClientReadsBadRequestFromGrpcJavaServer() throws Exception {
    io.grpc.ServerServiceDefinition service = io.grpc.ServerServiceDefinition.builder(SERVICE)
        .addMethod(GRPC_METHOD, io.grpc.stub.ServerCalls.asyncUnaryCall(
            (StringValue request, StreamObserver<StringValue> response) ->
                response.onError(io.grpc.protobuf.StatusProto.toStatusRuntimeException(RICH))))
        .build();
    Server server = grpc.startServer(b -> b.addService(service));
    TernChannel channel = tern.newChannel(server.getPort(), b -> {});

    dev.tern.StatusRuntimeException e = assertThrows(dev.tern.StatusRuntimeException.class, () ->
        ClientCalls.blockingUnaryCall(channel, TERN_METHOD, CallOptions.DEFAULT,
            StringValue.of("x")));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("request has 2 invalid fields", e.getStatus().getDescription());
    com.google.rpc.Status read = StatusProto.fromThrowable(e);
    assertEquals(RICH, read);
    BadRequest bad = StatusProto.detail(read, BadRequest.class).orElseThrow();
    assertEquals(BAD_REQUEST, bad);
    assertEquals(2, bad.getFieldViolationsCount());
  }
}
