package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.testing.RawHttp2Connection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerConnections}: a cleartext connection whose first bytes are the HTTP/2 preface gets
 * its server handler inside that read, and the server's setup frames (SETTINGS, the connection
 * WINDOW_UPDATE) leave with the answer to the client's SETTINGS in one write.
 */
class ServerConnectionsTest {
  private static final int SETTINGS = 0x4;
  private static final int WINDOW_UPDATE = 0x8;
  private static final int ACK = 0x1;

  @Test
  void setupFramesLeaveWithTheFirstReadsAnswersInOneWrite() {
    MockTicker ticker = Ticker.newMockTicker();
    WriteCounter writes = new WriteCounter();
    EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker).handlers(writes).build();
    ServerShared shared = ServerShared.of(ServerSettings.builder()
        .connectionFlowControlWindow(1 << 20).build(), WebSettings.defaults());
    List<ServerHandler> added = new ArrayList<>();
    ServerConnections.installCleartext(ch, shared, TimeUnit.SECONDS.toMillis(10), added::add);
    try {
      ByteBuf first = Unpooled.buffer();
      first.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      first.writeBytes(RawHttp2Connection.frameBytes(SETTINGS, 0, 0, new byte[0]));
      ch.writeInbound(first);

      assertEquals(1, added.size(), "an HTTP/2 handler was installed");
      assertEquals(1, writes.flushesWithData, "one write for the whole first read");
      ByteBuf out = Unpooled.buffer();
      for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
        out.writeBytes(b);
        b.release();
      }
      List<String> frames = new ArrayList<>();
      while (out.isReadable()) {
        int length = out.readUnsignedMedium();
        int type = out.readUnsignedByte();
        int flags = out.readUnsignedByte();
        int stream = out.readInt();
        out.skipBytes(length);
        frames.add(type + "/" + (flags & ACK) + "/" + stream);
      }
      out.release();
      // RFC 9113 §3.4: the server's SETTINGS first; then the connection window (§6.9.2) and the
      // acknowledgement of the client's SETTINGS (§6.5.3).
      assertEquals(List.of(SETTINGS + "/0/0", WINDOW_UPDATE + "/0/0", SETTINGS + "/1/0"),
          frames);
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  /** Counts the flushes that had something written before them (a socket write each). */
  private static final class WriteCounter extends ChannelDuplexHandler {
    int flushesWithData;
    private boolean pending;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      pending = true;
      ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      if (pending) {
        flushesWithData++;
        pending = false;
      }
      ctx.flush();
    }
  }
}
