package dev.tern.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Codec;
import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GzipCodecTest {
  private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
  private final Codec gzip = Codec.gzip();

  @Test
  void compressedOutputIsReadByTheJdkGzipStream() throws IOException {
    byte[] data = sample(100_000);
    ByteBuf src = Unpooled.wrappedBuffer(data);
    ByteBuf dst = ALLOC.buffer(16);
    try {
      gzip.compress(src, dst);
      assertEquals(0, src.readerIndex(), "source left unchanged");
      byte[] compressed = new byte[dst.readableBytes()];
      dst.getBytes(dst.readerIndex(), compressed);
      assertTrue(compressed.length < data.length / 2);
      assertArrayEquals(data, new GZIPInputStream(new ByteArrayInputStream(compressed))
          .readAllBytes());
    } finally {
      src.release();
      dst.release();
    }
  }

  @Test
  void jdkGzipStreamOutputDecompresses() throws IOException {
    byte[] data = sample(50_000);
    ByteBuf in = Unpooled.wrappedBuffer(jdkGzip(data));
    ByteBuf out = gzip.decompress(in, ALLOC, 1 << 20);
    try {
      assertArrayEquals(data, bytes(out));
    } finally {
      out.release();
      in.release();
    }
  }

  @Test
  void messageSplitAcrossCompositeComponentsDecompresses() throws IOException {
    byte[] data = sample(70_000);
    byte[] compressed = jdkGzip(data);
    CompositeByteBuf in = ALLOC.compositeBuffer();
    for (int i = 0; i < compressed.length; i += 7) {
      int n = Math.min(7, compressed.length - i);
      ByteBuf part = ALLOC.directBuffer(n);
      part.writeBytes(compressed, i, n);
      in.addComponent(true, part);
    }
    ByteBuf out = gzip.decompress(in, ALLOC, 1 << 20);
    try {
      assertArrayEquals(data, bytes(out));
    } finally {
      out.release();
      in.release();
    }
  }

  @Test
  void concatenatedMembersDecompressAsOneMessage() throws IOException {
    byte[] a = sample(1000);
    byte[] b = "second member".getBytes();
    ByteBuf in = Unpooled.wrappedBuffer(jdkGzip(a), jdkGzip(b));
    ByteBuf out = gzip.decompress(in, ALLOC, 1 << 20);
    try {
      byte[] expected = new byte[a.length + b.length];
      System.arraycopy(a, 0, expected, 0, a.length);
      System.arraycopy(b, 0, expected, a.length, b.length);
      assertArrayEquals(expected, bytes(out));
    } finally {
      out.release();
      in.release();
    }
  }

  @Test
  void optionalHeaderFieldsAreSkipped() throws IOException {
    byte[] data = "hello, gzip header fields".getBytes();
    byte[] plain = jdkGzip(data);
    // Rebuild the header with FEXTRA, FNAME, FCOMMENT and FHCRC (RFC 1952 §2.3.1).
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.write(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3});
    header.write(new byte[] {3, 0, 'x', 'y', 'z'});
    header.write("name.txt\0".getBytes());
    header.write("a comment\0".getBytes());
    CRC32 crc = new CRC32();
    crc.update(header.toByteArray());
    header.write((int) crc.getValue() & 0xff);
    header.write((int) (crc.getValue() >> 8) & 0xff);
    header.write(plain, 10, plain.length - 10);
    ByteBuf in = Unpooled.wrappedBuffer(header.toByteArray());
    ByteBuf out = gzip.decompress(in, ALLOC, 1 << 20);
    try {
      assertArrayEquals(data, bytes(out));
    } finally {
      out.release();
      in.release();
    }
  }

  @Test
  void bombIsStoppedAtTheLimitWithoutAllocatingMore() throws IOException {
    // 64 MiB of zeros compress to about 64 KiB; the limit is 1 MiB.
    byte[] bomb = jdkGzip(new byte[64 << 20]);
    int limit = 1 << 20;
    CountingAllocator alloc = new CountingAllocator();
    ByteBuf in = Unpooled.wrappedBuffer(bomb);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> gzip.decompress(in, alloc, limit));
    in.release();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertTrue(alloc.maxCapacity.get() <= limit,
        "largest buffer " + alloc.maxCapacity.get() + " exceeds the limit " + limit);
  }

  @Test
  void messageOfExactlyTheLimitIsAccepted() throws IOException {
    byte[] data = sample(4096);
    ByteBuf in = Unpooled.wrappedBuffer(jdkGzip(data));
    ByteBuf out = gzip.decompress(in, ALLOC, 4096);
    try {
      assertEquals(4096, out.readableBytes());
    } finally {
      out.release();
      in.release();
    }
  }

  @Test
  void corruptDataIsAnIoException() {
    byte[] compressed = jdkGzip(sample(10_000));
    compressed[compressed.length - 6] ^= 0x55; // the CRC
    ByteBuf crc = Unpooled.wrappedBuffer(compressed);
    assertThrows(IOException.class, () -> gzip.decompress(crc, ALLOC, 1 << 20));
    crc.release();
    ByteBuf truncated = Unpooled.wrappedBuffer(jdkGzip(sample(10_000)), 0, 100);
    assertThrows(IOException.class, () -> gzip.decompress(truncated, ALLOC, 1 << 20));
    truncated.release();
    ByteBuf notGzip = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    assertThrows(IOException.class, () -> gzip.decompress(notGzip, ALLOC, 1 << 20));
    notGzip.release();
  }

  @Test
  void emptyMessageRoundTrips() throws IOException {
    ByteBuf dst = ALLOC.buffer();
    gzip.compress(Unpooled.EMPTY_BUFFER, dst);
    ByteBuf out = gzip.decompress(dst, ALLOC, 100);
    try {
      assertEquals(0, out.readableBytes());
    } finally {
      out.release();
      dst.release();
    }
  }

  private static byte[] sample(int n) {
    // Compressible but not trivial: words from a small vocabulary.
    Random random = new Random(n);
    String[] words = {"alpha ", "beta ", "gamma ", "delta ", "tern ", "grpc ", "stream "};
    StringBuilder sb = new StringBuilder(n + 10);
    while (sb.length() < n) {
      sb.append(words[random.nextInt(words.length)]);
    }
    return sb.substring(0, n).getBytes();
  }

  private static byte[] jdkGzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] bytes(ByteBuf buf) {
    byte[] b = new byte[buf.readableBytes()];
    buf.getBytes(buf.readerIndex(), b);
    return b;
  }

  /** Records the largest capacity any buffer it made reached. */
  private static final class CountingAllocator extends io.netty.buffer.AbstractByteBufAllocator {
    final AtomicInteger maxCapacity = new AtomicInteger();

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      return track(Unpooled.buffer(initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      return track(Unpooled.directBuffer(initialCapacity, maxCapacity));
    }

    private ByteBuf track(ByteBuf buf) {
      // The buffer may grow later, but never beyond its maximum capacity.
      this.maxCapacity.accumulateAndGet(buf.maxCapacity(), Math::max);
      return buf;
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }
}
