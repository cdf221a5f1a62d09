package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.Attributes;
import dev.tern.CallOptions;
import dev.tern.Endpoint;
import dev.tern.NameResolver;
import dev.tern.StaticNameResolverProvider;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.stub.ClientCalls;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A service config from the resolver (as DNS TXT records give one, gRFC A2) replaces the
 * builder's when lookup is on; a malformed one keeps the last good config.
 */
class ResolverServiceConfigTest {
  private static final String TIMEOUT = "{\"methodConfig\": [{\"name\": [{\"service\":"
      + " \"tern.test.Life\"}], \"timeout\": \"0.2s\"}]}";

  private final HangService hang = new HangService();
  private TernServer server;
  private TernChannel channel;
  private StaticNameResolverProvider resolver;
  private List<Endpoint> endpoints;

  @BeforeEach
  void start() throws Exception {
    server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .addService(hang.service()).build().start();
    endpoints = List.of(Endpoint.of(new InetSocketAddress("127.0.0.1", server.port())));
    resolver = new StaticNameResolverProvider("test", endpoints);
    resolver.update(new NameResolver.Result(endpoints, TIMEOUT, Attributes.EMPTY));
    channel = TernChannel.builder().nameResolverProvider(resolver).target("test:///backends")
        .serviceConfigLookup(true).build();
    // The first call starts resolution; calls made after it use the resolver's config.
    ClientCalls.blockingUnaryCall(channel, TestMethods.UNARY, CallOptions.DEFAULT, "warm-up");
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  private Status.Code hangCall() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, HangService.HANG, CallOptions.DEFAULT, "x"));
    return e.getStatus().getCode();
  }

  @Test
  void resolverConfigTimeoutEndsTheCall() {
    assertEquals(Status.Code.DEADLINE_EXCEEDED, hangCall());
  }

  @Test
  void malformedResolverConfigKeepsTheLastGoodOne() {
    resolver.update(new NameResolver.Result(endpoints, "{\"methodConfig\": [,]}",
        Attributes.EMPTY));

    assertEquals(Status.Code.DEADLINE_EXCEEDED, hangCall());
  }
}
