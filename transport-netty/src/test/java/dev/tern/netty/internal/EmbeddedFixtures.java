package dev.tern.netty.internal;

import dev.tern.Marshaller;
import dev.tern.testing.RawHttp2Connection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.concurrent.MockTicker;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Fixtures of the deterministic transport tests: Tern's connection handlers on Netty
 * {@link EmbeddedChannel}s (no sockets, no threads) whose timers all run on one
 * {@link MockTicker}, facing a scripted {@link RawHttp2Connection#embedded} peer. Time moves only
 * when a test {@link #advance}s it; bytes move only when it {@link RawHttp2Connection#exchange}s.
 * The settings built here are the only place these tests spell out the handlers' settings.
 */
final class EmbeddedFixtures {
  static final int WINDOW = 64 * 1024;
  /** Messages as UTF-8 text. */
  static final Marshaller<String> UTF8 = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };

  private EmbeddedFixtures() {}

  /** A channel's settings with small, default-like values and no BDP probing. */
  static ClientSettings clientSettings() {
    return ClientSettings.builder().authority("localhost").userAgent("tern-test")
        .flowControlWindow(WINDOW).connectionFlowControlWindow(WINDOW).autoFlowControl(false)
        .build();
  }

  /** A server's settings without methods (every call is UNIMPLEMENTED) and with {@code limits}. */
  static ServerSettings serverSettings(Limits limits) {
    return ServerSettings.builder().flowControlWindow(WINDOW).connectionFlowControlWindow(WINDOW)
        .autoFlowControl(false).limits(limits.build()).build();
  }

  /** A new channel holding {@code handler}, active at once, whose timers run on {@code ticker}. */
  static EmbeddedChannel channel(MockTicker ticker, ChannelHandler handler) {
    return EmbeddedChannel.builder().ticker(ticker).handlers(handler).build();
  }

  /**
   * The connection is lost, as when the socket fails: the channel closes under the handlers
   * (channelInactive) without the graceful close an outbound {@code close()} would start.
   */
  static void loseConnection(EmbeddedChannel ch) {
    ch.unsafe().close(ch.voidPromise());
    ch.runPendingTasks();
  }

  /** A scripted server facing a client under test. */
  static RawHttp2Connection rawServer(MockTicker ticker) {
    return RawHttp2Connection.embedded(true, Http2Settings.defaultSettings(), ticker);
  }

  /** A scripted client facing a server under test. */
  static RawHttp2Connection rawClient(MockTicker ticker) {
    return RawHttp2Connection.embedded(false, Http2Settings.defaultSettings(), ticker);
  }

  /** Lets {@code nanos} pass on the shared clock and runs every timer now due on {@code loops}. */
  static void advance(MockTicker ticker, long nanos, EmbeddedChannel... loops) {
    ticker.advance(nanos, TimeUnit.NANOSECONDS);
    for (EmbeddedChannel ch : loops) {
      ch.runPendingTasks();
    }
  }

  /** A server's limits: the builder's defaults, each changeable. Times in nanoseconds. */
  static final class Limits {
    long handshakeTimeout = TimeUnit.SECONDS.toNanos(10);
    long keepAliveTime = ServerLimits.NEVER;
    long keepAliveTimeout = TimeUnit.SECONDS.toNanos(20);
    long permitKeepAliveTime = TimeUnit.MINUTES.toNanos(5);
    boolean permitKeepAliveWithoutCalls;
    long maxConnectionIdle = ServerLimits.NEVER;
    long maxConnectionAge = ServerLimits.NEVER;
    long maxConnectionAgeGrace = ServerLimits.NEVER;

    ServerLimits build() {
      return ServerLimits.builder().handshakeTimeoutNanos(handshakeTimeout)
          .keepAliveTimeNanos(keepAliveTime).keepAliveTimeoutNanos(keepAliveTimeout)
          .permitKeepAliveTimeNanos(permitKeepAliveTime)
          .permitKeepAliveWithoutCalls(permitKeepAliveWithoutCalls)
          .maxConnectionIdleNanos(maxConnectionIdle).maxConnectionAgeNanos(maxConnectionAge)
          .maxConnectionAgeGraceNanos(maxConnectionAgeGrace).build();
    }
  }
}
