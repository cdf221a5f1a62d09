package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.ServerCall;
import dev.tern.ServerMethodDefinition;
import dev.tern.Status;
import dev.tern.testing.GrpcWire;
import dev.tern.testing.RawFrame;
import dev.tern.testing.RawHttp2Connection;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerShared}: the connections of one server share one method router and web
 * dispatcher. Connections on several threads at once (each its own {@link EmbeddedChannel}, as
 * each connection has its own event loop) route through the shared router, whose caches fill
 * from all of them.
 */
class ServerSharedTest {
  private static final String OK = "/test.Shared/Ok";
  private static final String UNKNOWN = "/test.Shared/Unknown";
  private static final int CONNECTIONS = 4;
  private static final int REQUESTS = 100;

  private final ServerShared shared = ServerShared.of(ServerSettings.builder()
      .methodsByPath(Map.of(OK, ServerMethodDefinition.create(
          MethodDescriptor.newBuilder(EmbeddedFixtures.UTF8, EmbeddedFixtures.UTF8)
              .setFullMethodName(OK.substring(1))
              .setType(MethodDescriptor.MethodType.UNARY).build(),
          (ServerCall<String, String> call, Metadata headers) -> {
            call.close(Status.OK, new Metadata());
            return new ServerCall.Listener<>() {};
          })))
      .build(), WebSettings.defaults());

  @Test
  void connectionsOnSeveralThreadsRouteThroughTheSharedRouter() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(CONNECTIONS);
    try {
      List<Future<List<String>>> connections = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        connections.add(threads.submit(this::requestsOnOneConnection));
      }
      List<String> expected = new ArrayList<>();
      for (int r = 0; r < REQUESTS; r++) {
        expected.add(r % 2 == 0 ? "0" : String.valueOf(Status.Code.UNIMPLEMENTED.value()));
      }
      for (Future<List<String>> statuses : connections) {
        assertEquals(expected, statuses.get());
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** One connection's grpc-status for each request, alternately to OK and UNKNOWN. */
  private List<String> requestsOnOneConnection() {
    MockTicker ticker = Ticker.newMockTicker();
    EmbeddedChannel server = EmbeddedFixtures.channel(ticker, ServerHandler.create(shared));
    RawHttp2Connection client = EmbeddedFixtures.rawClient(ticker);
    try {
      List<String> statuses = new ArrayList<>();
      client.exchange(server);
      for (int r = 0; r < REQUESTS; r++) {
        int id = client.newStream(GrpcWire.requestHeaders(r % 2 == 0 ? OK : UNKNOWN), false);
        client.data(id, GrpcWire.lengthPrefixed("hi"), true);
        client.exchange(server);
        RawFrame trailers = client.poll(f -> f.streamId() == id && f.isEndStream());
        assertNotNull(trailers, "stream " + id + " was answered");
        statuses.add(trailers.header("grpc-status"));
        client.takeAll();
      }
      return statuses;
    } finally {
      client.close();
      server.finishAndReleaseAll();
    }
  }
}
