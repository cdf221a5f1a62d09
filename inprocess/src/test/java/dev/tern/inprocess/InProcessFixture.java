package dev.tern.inprocess;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Servers and channels of one test, each server under a fresh name; {@link #close} ends all. */
final class InProcessFixture implements AutoCloseable {
  private final List<InProcessServer> servers = new ArrayList<>();
  private final List<InProcessChannel> channels = new ArrayList<>();

  static String uniqueName() {
    return "test-" + UUID.randomUUID();
  }

  InProcessServer server(String name, Consumer<InProcessServer.Builder> configure)
      throws Exception {
    InProcessServer.Builder b = InProcessServer.builder(name);
    configure.accept(b);
    InProcessServer server = b.build().start();
    servers.add(server);
    return server;
  }

  InProcessChannel channel(String name, Consumer<InProcessChannel.Builder> configure) {
    InProcessChannel.Builder b = InProcessChannel.builder(name);
    configure.accept(b);
    InProcessChannel channel = b.build();
    channels.add(channel);
    return channel;
  }

  @Override
  public void close() throws Exception {
    for (InProcessChannel c : channels) {
      c.shutdownNow();
    }
    for (InProcessServer s : servers) {
      s.shutdownNow();
    }
    for (InProcessServer s : servers) {
      s.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
