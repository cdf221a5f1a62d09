package dev.tern.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import dev.tern.Status;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * frameLogging(true) on both builders: every frame of a call, read and written, reaches the
 * logger dev.tern.netty.frames (Netty's Http2FrameLogger; java.util.logging FINE here).
 */
class FrameLoggingTest {
  private static final Logger FRAMES = Logger.getLogger("dev.tern.netty.frames");
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      String message = record.getMessage();
      Object[] params = record.getParameters();
      lines.add(params == null || params.length == 0 ? message
          : java.text.MessageFormat.format(message.replace("{}", "{0}"), params));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Level previousLevel;

  @BeforeEach
  void captureFrames() {
    previousLevel = FRAMES.getLevel();
    FRAMES.setLevel(Level.FINE);
    capture.setLevel(Level.ALL);
    FRAMES.addHandler(capture);
  }

  @AfterEach
  void restore() {
    FRAMES.removeHandler(capture);
    FRAMES.setLevel(previousLevel);
  }

  @Test
  void bothSidesLogEveryFrameOfACall() throws Exception {
    TernServer server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .frameLogging(true).build().start();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port())
        .frameLogging(true).build();
    try {
      CallResult<String> r = CallResult.unary(channel, TestMethods.UNARY, "hello", new Metadata());
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    // The request and the response each cross the wire once, logged by the side that wrote it
    // and by the side that read it.
    String all = String.join("\n", lines);
    assertTrue(count("OUTBOUND HEADERS") >= 3, all); // request, response headers, trailers
    assertTrue(count("INBOUND HEADERS") >= 3, all);
    assertTrue(count("OUTBOUND DATA") >= 2, all); // request message, response message
    assertTrue(count("INBOUND DATA") >= 2, all);
    assertTrue(count("OUTBOUND SETTINGS") >= 2 && count("INBOUND SETTINGS") >= 2, all);
    assertTrue(all.contains("/tern.test.Echo/Unary"), all);
  }

  @Test
  void offByDefault() throws Exception {
    TernServer server = TernServer.builder().port(0).addService(TestMethods.echoService())
        .build().start();
    TernChannel channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
    try {
      CallResult<String> r = CallResult.unary(channel, TestMethods.UNARY, "hello", new Metadata());
      assertEquals(Status.Code.OK, r.status.getCode(), r.status::toString);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), lines);
  }

  private long count(String what) {
    return lines.stream().filter(l -> l.contains(what)).count();
  }
}
