package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.CallOptions;
import dev.tern.Channel;
import dev.tern.ClientCall;
import dev.tern.ClientInterceptor;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerCallHandler;
import dev.tern.ServerInterceptor;
import dev.tern.ServerInterceptors;
import dev.tern.Status;
import dev.tern.stub.AbstractStub;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The documented composition order: the first registered interceptor is the outermost. */
class InterceptorOrderTest {
  private final List<String> seen = new CopyOnWriteArrayList<>();

  private ServerInterceptor server(String name) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        seen.add(name);
        return next.startCall(call, headers);
      }
    };
  }

  private ClientInterceptor client(String name) {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        seen.add(name);
        return next.newCall(method, callOptions);
      }
    };
  }

  /** The smallest stub: only for {@link AbstractStub#withInterceptors}. */
  static final class Stub extends AbstractStub<Stub> {
    Stub(Channel channel, CallOptions options) {
      super(channel, options);
    }

    @Override
    protected Stub build(Channel channel, CallOptions callOptions) {
      return new Stub(channel, callOptions);
    }
  }

  @Test
  void stubThenChannelThenServerThenServiceInterceptorsRunOutermostFirst() throws Exception {
    ShopService shop = new ShopService();
    TernServer server = TernServer.builder().port(0)
        .intercept(server("server-1")).intercept(server("server-2"))
        .addService(ServerInterceptors.intercept(shop.definition(),
            server("service-1"), server("service-2")))
        .build().start();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .intercept(client("channel-1"), client("channel-2"))
        .build();
    try {
      Stub stub = new Stub(channel, CallOptions.DEFAULT)
          .withInterceptors(client("stub-1"), client("stub-2"));
      CallResult<String> r = CallResult.unary(stub.getChannel(), ShopService.DELETE, "x",
          new Metadata());
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
      assertEquals(List.of("stub-1", "stub-2", "channel-1", "channel-2",
          "server-1", "server-2", "service-1", "service-2"), seen);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
