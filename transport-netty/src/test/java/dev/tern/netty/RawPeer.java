package dev.tern.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A hostile HTTP/2 client for attack tests: writes arbitrary frames as raw bytes over a blocking
 * socket and, unless told not to read, collects what the server sends on a reader thread.
 * Not thread-safe for writing; the frame queue is.
 */
final class RawPeer implements AutoCloseable {
  static final byte DATA = 0;
  static final byte HEADERS = 1;
  static final byte PRIORITY = 2;
  static final byte RST_STREAM = 3;
  static final byte SETTINGS = 4;
  static final byte PING = 6;
  static final byte GOAWAY = 7;
  static final byte WINDOW_UPDATE = 8;
  static final byte CONTINUATION = 9;

  static final int END_STREAM = 0x1;
  static final int ACK = 0x1;
  static final int END_HEADERS = 0x4;

  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** One frame received from the server. */
  static final class Frame {
    final byte type;
    final int flags;
    final int streamId;
    final byte[] payload;
    Http2Headers headers;

    Frame(byte type, int flags, int streamId, byte[] payload) {
      this.type = type;
      this.flags = flags;
      this.streamId = streamId;
      this.payload = payload;
    }

    long errorCode() {
      // RST_STREAM: 4-byte code; GOAWAY: last-stream-id then code.
      ByteBuffer b = ByteBuffer.wrap(payload);
      return Integer.toUnsignedLong(type == GOAWAY ? b.getInt(4) : b.getInt(0));
    }

    int lastStreamId() {
      return ByteBuffer.wrap(payload).getInt(0) & 0x7FFFFFFF;
    }

    String debugData() {
      return new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
    }

    boolean isAck() {
      return (flags & ACK) != 0;
    }

    @Override
    public String toString() {
      return "Frame{type=" + type + ", flags=" + flags + ", stream=" + streamId
          + ", length=" + payload.length + (headers != null ? ", " + headers : "")
          + (type == GOAWAY || type == RST_STREAM ? ", error=" + errorCode() : "") + "}";
    }
  }

  /** Marks the end of the server's byte stream in the frame queue. */
  static final Frame CLOSED = new Frame((byte) -1, 0, 0, new byte[0]);

  private final Socket socket;
  private final OutputStream out;
  // Ignores the server's SETTINGS_MAX_HEADER_LIST_SIZE: oversized lists are what some tests send.
  private final DefaultHttp2HeadersEncoder encoder =
      new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile boolean closed;

  private RawPeer(int port, boolean read) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    if (!read) {
      // A peer that never reads: keep its receive buffer small so the server's writes back up.
      socket.setReceiveBufferSize(4096);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    out = socket.getOutputStream();
    if (read) {
      reader = new Thread(this::readLoop, "raw-peer-reader");
      reader.setDaemon(true);
      reader.start();
    } else {
      reader = null;
    }
  }

  /** Connects and reads frames in the background. */
  static RawPeer connect(int port) throws IOException {
    return new RawPeer(port, true);
  }

  /** Connects and never reads anything the server sends. */
  static RawPeer connectWithoutReading(int port) throws IOException {
    return new RawPeer(port, false);
  }

  /** Sends the client preface and an empty SETTINGS frame. */
  RawPeer handshake() throws IOException {
    out.write(PREFACE);
    frame(SETTINGS, 0, 0, new byte[0]);
    return this;
  }

  /** Sends the preface, an empty SETTINGS and a SETTINGS ACK as one write. */
  RawPeer handshakeAndAck() throws IOException {
    handshake();
    frame(SETTINGS, ACK, 0, new byte[0]);
    return this;
  }

  void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    out.write(frameBytes(type, flags, streamId, payload));
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
  }

  static byte[] frameBytes(int type, int flags, int streamId, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8))
        .put((byte) payload.length).put((byte) type).put((byte) flags).putInt(streamId)
        .put(payload);
    return b.array();
  }

  /** HPACK-encodes {@code headers} with this connection's encoder state. */
  byte[] encode(Http2Headers headers) {
    ByteBuf buf = Unpooled.buffer();
    try {
      encoder.encodeHeaders(0, headers, buf);
      return ByteBufUtil.getBytes(buf);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      buf.release();
    }
  }

  void headers(int streamId, Http2Headers headers, boolean endStream) throws IOException {
    frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, encode(headers));
  }

  void data(int streamId, byte[] data, boolean endStream) throws IOException {
    frame(DATA, endStream ? END_STREAM : 0, streamId, data);
  }

  void rst(int streamId, long code) throws IOException {
    frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt((int) code).array());
  }

  void ping(long data) throws IOException {
    frame(PING, 0, 0, ByteBuffer.allocate(8).putLong(data).array());
  }

  void windowUpdate(int streamId, int increment) throws IOException {
    frame(WINDOW_UPDATE, 0, streamId, ByteBuffer.allocate(4).putInt(increment).array());
  }

  /** HPACK integer with an N-bit prefix (RFC 7541 §5.1); {@code first} holds the flag bits. */
  static void hpackInt(java.io.ByteArrayOutputStream out, int first, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      out.write(first | value);
      return;
    }
    out.write(first | max);
    value -= max;
    while (value >= 128) {
      out.write((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  /** HPACK string literal without Huffman coding (RFC 7541 §5.2). */
  static void hpackString(java.io.ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    hpackInt(out, 0, 7, b.length);
    out.write(b, 0, b.length);
  }

  /** A literal header field without indexing, new name (RFC 7541 §6.2.2). */
  static void hpackLiteral(java.io.ByteArrayOutputStream out, String name, String value) {
    out.write(0x00);
    hpackString(out, name);
    hpackString(out, value);
  }

  /** A gRPC request's headers for {@code method} ("/tern.test.Echo/Unary"). */
  static Http2Headers grpcRequest(String path) {
    return new DefaultHttp2Headers()
        .method("POST").scheme("http").path(path).authority("localhost")
        .add("content-type", "application/grpc").add("te", "trailers");
  }

  /** A length-prefixed uncompressed gRPC message. */
  static byte[] grpcMessage(String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(body.length).put(body)
        .array();
  }

  /** The next frame matching {@code filter}, skipping others; null on timeout or close. */
  Frame await(Predicate<Frame> filter, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Frame f = frames.poll(left, TimeUnit.NANOSECONDS);
      if (f == null) {
        return null;
      }
      if (f == CLOSED) {
        frames.add(CLOSED);
        return filter.test(f) ? f : null;
      }
      if (filter.test(f)) {
        return f;
      }
    }
  }

  Frame awaitType(byte type) throws InterruptedException {
    return await(f -> f.type == type, 20, TimeUnit.SECONDS);
  }

  Frame awaitGoAway() throws InterruptedException {
    return awaitType(GOAWAY);
  }

  /** Waits for the server to close the connection; true if it did. */
  boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
    return await(f -> f == CLOSED, timeout, unit) != null;
  }

  private void readLoop() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8
            | in.readUnsignedByte();
        byte type = in.readByte();
        int flags = in.readUnsignedByte();
        int streamId = in.readInt() & 0x7FFFFFFF;
        byte[] payload = new byte[length];
        in.readFully(payload);
        Frame f = new Frame(type, flags, streamId, payload);
        if (type == HEADERS) {
          ByteBuf block = Unpooled.wrappedBuffer(payload);
          try {
            f.headers = decoder.decodeHeaders(streamId, block);
          } catch (Exception e) {
            // Leave headers null; tests that care will notice.
          } finally {
            block.release();
          }
        }
        frames.add(f);
      }
    } catch (EOFException e) {
      // The server closed the connection.
    } catch (IOException e) {
      // Reset or closed locally.
    } finally {
      frames.add(CLOSED);
    }
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      socket.close();
    }
  }
}
