package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the gRPC deframer with arbitrary bytes cut into arbitrary DATA frames, interleaved with
 * arbitrary requests and an optional end of stream. Whatever arrives: no exception escapes, a
 * message is delivered only when requested and never over the size limit, its flow-control credit
 * adds up to exactly the bytes it used, the stream ends or fails at most once and nothing after
 * that, and every buffer is released (the leak detector runs at PARANOID). Compared against a
 * straightforward reference parser of the same bytes. Seeds in MessageDeframerFuzzTestInputs.
 */
// No @Timeout here: replaying the seeds gets the build's 120 s per invocation; fuzzing
// (JAZZER_FUZZ=1) gets the root pom's fuzzing profile's 30 minutes.
class MessageDeframerFuzzTest {
  /**
   * The transport's default allocator: Netty's leak detector tracks every buffer it hands out
   * (unpooled heap buffers are never tracked). FuzzAllocatorLeakTest proves a leak here fails.
   */
  static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  /** Records what the deframer produced. */
  private static final class Recorder implements MessageDeframer.Sink {
    final List<byte[]> messages = new ArrayList<>();
    final List<Boolean> compressed = new ArrayList<>();
    long credit;
    int ends;
    Status failure;
    int failures;
    boolean terminal;

    @Override
    public void messageRead(ByteBuf message, boolean isCompressed, int frameBytes) {
      try {
        assertFalse(terminal, "message after the end");
        assertTrue(frameBytes >= 0, "negative credit");
        byte[] bytes = new byte[message.readableBytes()];
        message.readBytes(bytes);
        messages.add(bytes);
        compressed.add(isCompressed);
        credit += frameBytes;
      } finally {
        message.release();
      }
    }

    @Override
    public void bytesConsumed(int bytes) {
      assertTrue(bytes > 0, "empty credit");
      credit += bytes;
    }

    @Override
    public void streamEnded() {
      assertFalse(terminal, "second end");
      terminal = true;
      ends++;
    }

    @Override
    public void deframeFailed(Status status) {
      assertFalse(terminal, "failure after the end");
      terminal = true;
      failures++;
      failure = status;
    }
  }

  @FuzzTest
  void arbitraryFramesAndRequests(FuzzedDataProvider data) {
    int maxMessageSize = data.consumeInt(0, 4096);
    Recorder sink = new Recorder();
    MessageDeframer deframer = new MessageDeframer(sink, ALLOC, maxMessageSize);
    ByteArrayBuilder all = new ByteArrayBuilder();
    int requested = 0;
    boolean ended = false;
    try {
      while (data.remainingBytes() > 0 && !ended) {
        switch (data.consumeInt(0, 3)) {
          case 0:
          case 1: {
            byte[] chunk = data.consumeBytes(data.consumeInt(0, 600));
            all.add(chunk);
            ByteBuf frame = ALLOC.buffer(chunk.length);
            frame.writeBytes(chunk);
            deframer.deframe(frame);
            break;
          }
          case 2: {
            int n = data.consumeInt(0, 5);
            requested += n;
            deframer.request(n);
            break;
          }
          default:
            ended = true;
            deframer.endOfStream();
        }
        assertTrue(sink.messages.size() <= requested, "delivered more than requested");
      }
      // Ask for everything at the end, as a reading application would.
      deframer.request(Integer.MAX_VALUE);
    } finally {
      deframer.close();
    }

    Reference ref = Reference.parse(all.toByteArray(), maxMessageSize, ended);
    assertEquals(ref.messages.size(), sink.messages.size(), "message count");
    for (int i = 0; i < ref.messages.size(); i++) {
      assertTrue(java.util.Arrays.equals(ref.messages.get(i), sink.messages.get(i)),
          "message " + i);
      assertEquals(ref.compressed.get(i), sink.compressed.get(i), "flag " + i);
      assertTrue(sink.messages.get(i).length <= maxMessageSize, "over the limit");
    }
    assertTrue(sink.ends + sink.failures <= 1);
    if (ref.failure != null) {
      assertEquals(1, sink.failures, "expected " + ref.failure);
      assertEquals(ref.failure, sink.failure.getCode());
    } else if (ended) {
      assertEquals(1, sink.ends, () -> "no clean end: " + sink.failure);
    } else {
      assertEquals(0, sink.ends + sink.failures);
    }
    // Credit never exceeds what arrived, and covers every byte of each delivered message.
    long delivered = 0;
    for (byte[] m : sink.messages) {
      delivered += MessageDeframer.HEADER_LENGTH + m.length;
    }
    assertTrue(sink.credit >= delivered, "credit below delivered bytes");
    assertTrue(sink.credit <= all.size(), "credit for bytes that never arrived");
  }

  /** A plain, obviously correct parser of a complete byte stream. */
  private static final class Reference {
    final List<byte[]> messages = new ArrayList<>();
    final List<Boolean> compressed = new ArrayList<>();
    Status.Code failure;

    static Reference parse(byte[] bytes, int max, boolean ended) {
      Reference r = new Reference();
      int pos = 0;
      while (bytes.length - pos >= MessageDeframer.HEADER_LENGTH) {
        int flags = bytes[pos] & 0xFF;
        if ((flags & 0xFE) != 0) {
          r.failure = Status.Code.INTERNAL;
          return r;
        }
        long length = ((long) (bytes[pos + 1] & 0xFF) << 24) | ((bytes[pos + 2] & 0xFF) << 16)
            | ((bytes[pos + 3] & 0xFF) << 8) | (bytes[pos + 4] & 0xFF);
        if (length > max) {
          r.failure = Status.Code.RESOURCE_EXHAUSTED;
          return r;
        }
        if (bytes.length - pos - MessageDeframer.HEADER_LENGTH < length) {
          break;
        }
        int start = pos + MessageDeframer.HEADER_LENGTH;
        r.messages.add(java.util.Arrays.copyOfRange(bytes, start, start + (int) length));
        r.compressed.add((flags & 1) != 0);
        pos = start + (int) length;
      }
      if (ended && pos != bytes.length) {
        r.failure = Status.Code.INTERNAL;
      }
      return r;
    }
  }

  /** A growable byte array. */
  private static final class ByteArrayBuilder {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    void add(byte[] b) {
      out.write(b, 0, b.length);
    }

    int size() {
      return out.size();
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
