package dev.tern;

import static dev.tern.MethodDescriptor.MethodType.UNARY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tern.stub.AbstractStubTest;
import dev.tern.stub.ServerCalls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Interceptor ordering: the first interceptor given is the outermost, on both sides. */
class InterceptorsTest {
  private static final MethodDescriptor<String, String> METHOD =
      TestMarshallers.method("Unary", UNARY);

  private static ClientInterceptor recordingClient(String name, List<String> log) {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        log.add(name + " newCall");
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, callOptions)) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            log.add(name + " start");
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                log.add(name + " onClose");
                super.onClose(status, trailers);
              }
            }, headers);
          }

          @Override
          public void sendMessage(ReqT message) {
            log.add(name + " sendMessage");
            super.sendMessage(message);
          }
        };
      }
    };
  }

  @Test
  void firstClientInterceptorIsOutermost() {
    List<String> log = new ArrayList<>();
    FakeChannel fake = new FakeChannel();
    Channel channel = ClientInterceptors.intercept(fake,
        recordingClient("a", log), recordingClient("b", log), recordingClient("c", log));
    assertEquals("fake.example", channel.authority());
    ClientCall<String, String> call = channel.newCall(METHOD, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        log.add("app onClose");
      }
    }, new Metadata());
    call.sendMessage("x");
    fake.calls.peek().listener.onClose(Status.OK, new Metadata());
    assertEquals(List.of(
        "a newCall", "b newCall", "c newCall",
        "a start", "b start", "c start",
        "a sendMessage", "b sendMessage", "c sendMessage",
        "c onClose", "b onClose", "a onClose", "app onClose"), log);
  }

  @Test
  void stubInterceptorsAddedLaterWrapTheEarlierOnes() {
    List<String> log = new ArrayList<>();
    FakeChannel fake = new FakeChannel();
    AbstractStubTest.TestStub stub = new AbstractStubTest.TestStub(fake, CallOptions.DEFAULT)
        .withInterceptors(recordingClient("inner1", log), recordingClient("inner2", log))
        .withInterceptors(recordingClient("outer", log));
    stub.getChannel().newCall(METHOD, CallOptions.DEFAULT);
    assertEquals(List.of("outer newCall", "inner1 newCall", "inner2 newCall"), log);
  }

  private static ServerInterceptor recordingServer(String name, List<String> log) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        log.add(name + " interceptCall");
        ServerCall<ReqT, RespT> wrapped =
            new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
              @Override
              public void close(Status status, Metadata trailers) {
                log.add(name + " close");
                super.close(status, trailers);
              }
            };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
            next.startCall(wrapped, headers)) {
          @Override
          public void onHalfClose() {
            log.add(name + " onHalfClose");
            super.onHalfClose();
          }
        };
      }
    };
  }

  @Test
  void firstServerInterceptorIsOutermost() {
    List<String> log = new ArrayList<>();
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Service")
        .addMethod(METHOD, ServerCalls.asyncUnaryCall((req, obs) -> {
          log.add("handler");
          obs.onNext(req);
          obs.onCompleted();
        }))
        .build();
    ServerServiceDefinition intercepted = ServerInterceptors.intercept(service,
        recordingServer("a", log), recordingServer("b", log));
    assertSame(service.getServiceDescriptor(), intercepted.getServiceDescriptor());
    @SuppressWarnings("unchecked")
    ServerMethodDefinition<String, String> def = (ServerMethodDefinition<String, String>)
        intercepted.getMethod("test.Service/Unary");
    FakeServerCall<String, String> call = new FakeServerCall<>(METHOD);
    ServerCall.Listener<String> listener =
        def.getServerCallHandler().startCall(call, new Metadata());
    listener.onMessage("x");
    listener.onHalfClose();
    assertEquals(List.of(
        "a interceptCall", "b interceptCall",
        "a onHalfClose", "b onHalfClose", "handler",
        "b close", "a close"), log);
    assertEquals(Status.Code.OK, call.closedStatus.getCode());
  }
}
