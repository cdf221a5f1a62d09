package dev.tern.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Frame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2PriorityFrame;
import io.netty.handler.codec.http2.Http2PushPromiseFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsAckFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2UnknownFrame;
import io.netty.handler.codec.http2.Http2WindowUpdateFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.CharObjectMap;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Ticker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One scripted HTTP/2 connection for frame-level tests: Netty's {@link Http2FrameCodec} does the
 * framing and HPACK, the test decides every frame. Frames the peer sends are recorded in arrival
 * order as {@link RawFrame}s (copied, so nothing needs releasing) and taken back with a timeout.
 *
 * <p>The codec acknowledges SETTINGS and PING itself; by default received DATA is returned to the
 * flow-control windows at once ({@link #autoWindowUpdate}).
 *
 * <p>A raw client ({@link RawHttp2Client#connectRaw}) has no codec: nothing leaves but what the
 * test writes, byte for byte (the connection preface too: {@link #handshake}), so it can send what
 * a codec would refuse to (floods, malformed frames, HPACK it encodes itself). Its write methods
 * encode frames as given, and received frames are parsed by Netty's frame reader alone: nothing is
 * acknowledged or answered.
 *
 * <p>Over a socket ({@link RawHttp2Client}, {@link RawHttp2Server}) frames come and go as the
 * network delivers them. On an {@link EmbeddedChannel} ({@link #embedded}) nothing moves until the
 * test calls {@link #exchange}, and reads never wait: a frame that has not arrived is a failure at
 * once, so a deterministic test names each step of its interleaving.
 *
 * <p>Thread-safe: writes run on the channel's event loop and wait for their outcome; reads wait on
 * a monitor the event loop signals. An embedded connection belongs to the test's thread.
 */
public class RawHttp2Connection implements AutoCloseable {
  /** How long reads and writes wait unless told otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
      2, new DefaultThreadFactory("raw-http2", true), NioIoHandler.newFactory());

  private final Object lock = new Object();
  private final List<RawFrame> received = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();
  private final Map<Integer, Http2FrameStream> streams = new ConcurrentHashMap<>();
  private final AtomicLong pingCounter = new AtomicLong(0x7465726e00000000L);
  private final ThreadLocal<List<ChannelFuture>> corked = new ThreadLocal<>();
  private volatile boolean autoWindowUpdate = true;
  private boolean closed;
  private Channel channel;
  /** Null for a raw connection. */
  private Http2FrameCodec codec;
  private Recorder recorder;
  /** HPACK state of a raw connection's requests; ignores the peer's header list limit. */
  private final DefaultHttp2HeadersEncoder rawEncoder =
      new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);

  RawHttp2Connection() {}

  /**
   * A scripted peer on an {@link EmbeddedChannel}, with no socket: the frames it writes reach the
   * other side's EmbeddedChannel, and that side's reach it, only in {@link #exchange}. Its timers
   * run on {@code ticker}; share one mock ticker ({@link Ticker#newMockTicker()}) with the other
   * side so that advancing it moves both clocks. {@code server} chooses the role (a client sends
   * the connection preface).
   */
  public static RawHttp2Connection embedded(boolean server, Http2Settings settings,
      Ticker ticker) {
    RawHttp2Connection conn = new RawHttp2Connection();
    EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker).build();
    conn.attach(ch, (server ? Http2FrameCodecBuilder.forServer()
        : Http2FrameCodecBuilder.forClient()).initialSettings(settings).build());
    ch.flush();
    return conn;
  }

  /**
   * A raw client ({@link RawHttp2Client#connectRaw}) on an {@link EmbeddedChannel}: nothing is sent
   * or answered but what the test writes (start with {@link #handshake}), for interleavings where
   * the test itself must decide when a PING is acknowledged. Bytes move in {@link #exchange}.
   */
  public static RawHttp2Connection embeddedRaw(Ticker ticker) {
    RawHttp2Connection conn = new RawHttp2Connection();
    conn.attachRaw(EmbeddedChannel.builder().ticker(ticker).build());
    return conn;
  }

  /**
   * Embedded only: delivers the bytes each side has written to the other, over and over, until
   * neither has anything more to say (answers to answers included), running the tasks both event
   * loops have due. Bytes for a side that has closed are dropped. Timers due at the ticker's
   * current time run too; to let time pass, advance the shared ticker and call this again.
   */
  public final void exchange(EmbeddedChannel other) {
    EmbeddedChannel self = embeddedChannel();
    for (int round = 0; round < 10_000; round++) {
      self.runPendingTasks();
      other.runPendingTasks();
      if (self.isOpen()) {
        self.flush();
      }
      if (other.isOpen()) {
        other.flush();
      }
      boolean moved = transfer(self, other);
      moved |= transfer(other, self);
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("the two sides never stop writing to each other");
  }

  private static boolean transfer(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    for (Object msg = from.readOutbound(); msg != null; msg = from.readOutbound()) {
      moved = true;
      if (to.isOpen()) {
        to.writeInbound(msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
    return moved;
  }

  private EmbeddedChannel embeddedChannel() {
    if (!(channel instanceof EmbeddedChannel)) {
      throw new IllegalStateException("not an embedded connection");
    }
    return (EmbeddedChannel) channel;
  }

  /** Installs the codec and the recorder on a new channel; called from its initializer. */
  final void attach(Channel ch, Http2FrameCodec codec) {
    this.channel = ch;
    this.codec = codec;
    this.recorder = new Recorder();
    ch.pipeline().addLast(codec, recorder);
    ch.closeFuture().addListener(f -> {
      synchronized (lock) {
        closed = true;
        lock.notifyAll();
      }
    });
  }

  /**
   * Makes this a raw connection on a new channel: no codec; received bytes are parsed into
   * frames and recorded. Called from the channel's initializer.
   */
  final void attachRaw(Channel ch) {
    this.channel = ch;
    ch.pipeline().addLast(new RawFrameReader(this::record, this::failed));
    ch.closeFuture().addListener(f -> {
      synchronized (lock) {
        closed = true;
        lock.notifyAll();
      }
    });
  }

  private boolean isRaw() {
    return codec == null;
  }

  /** The Netty channel, for tests that need to reach under the API. */
  public final Channel channel() {
    return channel;
  }

  /**
   * Whether received DATA is returned to the stream and connection windows as soon as it arrives
   * (the default). Turn off to test the peer's flow control, then use {@link #windowUpdate}.
   */
  public final void autoWindowUpdate(boolean enabled) {
    this.autoWindowUpdate = enabled;
  }

  // ---------------------------------------------------------------- writing

  /**
   * Opens a new stream with a HEADERS frame (client side) and returns its id once written.
   */
  public final int newStream(Http2Headers headers, boolean endStream) {
    if (isRaw()) {
      throw new IllegalStateException("a raw connection has no codec to number streams: use"
          + " headers(streamId, ...)");
    }
    Http2FrameStream[] opened = new Http2FrameStream[1];
    write(() -> {
      Http2FrameStream stream = recorder.newStream();
      opened[0] = stream;
      // On the event loop the write runs now: the codec assigns the id before it returns.
      ChannelFuture f = channel.write(
          new DefaultHttp2HeadersFrame(headers, endStream).stream(stream));
      if (stream.id() > 0) {
        streams.put(stream.id(), stream);
      }
      return f;
    });
    return opened[0].id();
  }

  /**
   * Writes HEADERS on a known stream: a response's headers, or trailers. On a raw connection, any
   * stream, in one HEADERS frame encoded with this connection's HPACK state ({@link
   * #encodeHeaders}).
   */
  public final void headers(int streamId, Http2Headers headers, boolean endStream) {
    if (isRaw()) {
      writeFrame(Http2FrameTypes.HEADERS,
          Http2Flags.END_HEADERS | (endStream ? Http2Flags.END_STREAM : 0), streamId,
          encodeHeaders(headers));
      return;
    }
    Http2FrameStream stream = knownStream(streamId);
    write(() -> channel.write(
        new DefaultHttp2HeadersFrame(headers, endStream).stream(stream)));
  }

  /** Writes DATA with a copy of {@code bytes}. */
  public final void data(int streamId, byte[] bytes, boolean endStream) {
    if (isRaw()) {
      writeFrame(Http2FrameTypes.DATA, endStream ? Http2Flags.END_STREAM : 0, streamId, bytes);
      return;
    }
    data(streamId, Unpooled.copiedBuffer(bytes), endStream);
  }

  /** Writes DATA; takes ownership of {@code content}. */
  public final void data(int streamId, ByteBuf content, boolean endStream) {
    if (isRaw()) {
      byte[] bytes = ByteBufUtil.getBytes(content);
      content.release();
      data(streamId, bytes, endStream);
      return;
    }
    Http2FrameStream stream = streams.get(streamId);
    if (stream == null) {
      content.release();
      throw new IllegalArgumentException("unknown stream " + streamId);
    }
    write(() -> channel.write(new DefaultHttp2DataFrame(content, endStream)
        .stream(stream)));
  }

  /** Writes RST_STREAM. */
  public final void rstStream(int streamId, Http2Error error) {
    if (isRaw()) {
      writeFrame(Http2FrameTypes.RST_STREAM, 0, streamId,
          ByteBuffer.allocate(4).putInt((int) error.code()).array());
      return;
    }
    Http2FrameStream stream = knownStream(streamId);
    write(() -> channel.write(new DefaultHttp2ResetFrame(error).stream(stream)));
  }

  /** Writes a SETTINGS frame. */
  public final void settings(Http2Settings settings) {
    if (isRaw()) {
      ByteBuffer payload = ByteBuffer.allocate(6 * settings.size());
      for (CharObjectMap.PrimitiveEntry<Long> e : settings.entries()) {
        payload.putShort((short) e.key()).putInt(e.value().intValue());
      }
      writeFrame(Http2FrameTypes.SETTINGS, 0, 0, payload.array());
      return;
    }
    write(() -> channel.write(new DefaultHttp2SettingsFrame(settings)));
  }

  /** Writes a PING (not an ack). */
  public final void ping(long content) {
    if (isRaw()) {
      writeFrame(Http2FrameTypes.PING, 0, 0, ByteBuffer.allocate(8).putLong(content).array());
      return;
    }
    write(() -> channel.write(new DefaultHttp2PingFrame(content)));
  }

  /**
   * Acknowledges a PING with {@code content}. A codec acknowledges PINGs itself; on a raw
   * connection the test decides when (for instance to hold back a drain PING's ACK).
   */
  public final void pingAck(long content) {
    writeFrame(Http2FrameTypes.PING, Http2Flags.ACK, 0,
        ByteBuffer.allocate(8).putLong(content).array());
  }

  /** Writes GOAWAY with the codec's idea of the last stream id. */
  public final void goAway(Http2Error error, String debugData) {
    if (isRaw()) {
      // A client's last-stream-id: it accepted no stream from the server.
      byte[] debug = debugData.getBytes(StandardCharsets.UTF_8);
      writeFrame(Http2FrameTypes.GO_AWAY, 0, 0, ByteBuffer.allocate(8 + debug.length).putInt(0)
          .putInt((int) error.code()).put(debug).array());
      return;
    }
    write(() -> channel.write(new DefaultHttp2GoAwayFrame(error,
        ByteBufUtil.writeUtf8(channel.alloc(), debugData))));
  }

  /**
   * Returns {@code bytes} of flow-control credit: for a stream, as consumed bytes (the codec sends
   * WINDOW_UPDATE for the stream and the connection when due); for stream 0, as a connection
   * window increase. On a raw connection: a WINDOW_UPDATE of {@code bytes}, whatever they are.
   */
  public final void windowUpdate(int streamId, int bytes) {
    if (isRaw()) {
      writeFrame(Http2FrameTypes.WINDOW_UPDATE, 0, streamId,
          ByteBuffer.allocate(4).putInt(bytes).array());
      return;
    }
    DefaultHttp2WindowUpdateFrame frame = new DefaultHttp2WindowUpdateFrame(bytes);
    if (streamId != 0) {
      frame.stream(knownStream(streamId));
    }
    write(() -> channel.write(frame));
  }

  /**
   * Writes {@code bytes} straight to the socket, past the codec (which does not see them: its
   * HPACK and stream state do not change). Use {@link #frameBytes} to build frames by hand.
   */
  public final void writeRaw(byte[] bytes) {
    if (isRaw()) {
      write(() -> channel.write(Unpooled.copiedBuffer(bytes)));
      return;
    }
    write(() -> channel.pipeline().context(Http2FrameCodec.class)
        .write(Unpooled.copiedBuffer(bytes)));
  }

  /** Writes one frame as given ({@link #frameBytes}), past the codec if there is one. */
  public final void writeFrame(int type, int flags, int streamId, byte[] payload) {
    writeRaw(frameBytes(type, flags, streamId, payload));
  }

  /**
   * Raw connection: sends the client connection preface and an empty SETTINGS frame (RFC 9113
   * §3.4), leaving the server's SETTINGS unacknowledged.
   */
  public final void handshake() {
    writeRaw(handshakeBytes(false));
  }

  /** Raw connection: {@link #handshake} and a SETTINGS ACK, in one write. */
  public final void handshakeAndAck() {
    writeRaw(handshakeBytes(true));
  }

  private static byte[] handshakeBytes(boolean ack) {
    ByteBuf preface = io.netty.handler.codec.http2.Http2CodecUtil.connectionPrefaceBuf();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      out.writeBytes(ByteBufUtil.getBytes(preface));
    } finally {
      preface.release();
    }
    out.writeBytes(frameBytes(Http2FrameTypes.SETTINGS, 0, 0, new byte[0]));
    if (ack) {
      out.writeBytes(frameBytes(Http2FrameTypes.SETTINGS, Http2Flags.ACK, 0, new byte[0]));
    }
    return out.toByteArray();
  }

  /**
   * HPACK-encodes {@code headers} with this raw connection's encoder, whose dynamic table the
   * peer mirrors: encoded blocks must be sent in the order they were encoded. Ignores the peer's
   * SETTINGS_MAX_HEADER_LIST_SIZE, which some tests exceed on purpose.
   */
  public final byte[] encodeHeaders(Http2Headers headers) {
    ByteBuf buf = Unpooled.buffer();
    try {
      synchronized (rawEncoder) {
        rawEncoder.encodeHeaders(0, headers, buf);
      }
      return ByteBufUtil.getBytes(buf);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      buf.release();
    }
  }

  /** One encoded frame: 9-byte header (RFC 9113 §4.1) and payload. */
  public static byte[] frameBytes(int type, int flags, int streamId, byte[] payload) {
    byte[] out = new byte[9 + payload.length];
    out[0] = (byte) (payload.length >>> 16);
    out[1] = (byte) (payload.length >>> 8);
    out[2] = (byte) payload.length;
    out[3] = (byte) type;
    out[4] = (byte) flags;
    out[5] = (byte) ((streamId >>> 24) & 0x7F);
    out[6] = (byte) (streamId >>> 16);
    out[7] = (byte) (streamId >>> 8);
    out[8] = (byte) streamId;
    System.arraycopy(payload, 0, out, 9, payload.length);
    return out;
  }

  /**
   * An HPACK header block for a hand-built HEADERS frame: every field a literal without indexing
   * and without Huffman coding (RFC 7541 §6.2.2), so the peer's dynamic table stays as the codec
   * believes it is. Names and values alternate.
   */
  public static byte[] literalHeaderBlock(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must alternate");
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      out.write(0x00); // literal without indexing, new name
      hpackString(out, namesAndValues[i]);
      hpackString(out, namesAndValues[i + 1]);
    }
    return out.toByteArray();
  }

  /** An HPACK string literal without Huffman coding (RFC 7541 §5.2). */
  public static void hpackString(java.io.ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    // RFC 7541 §5.1 integer with a 7-bit prefix; the H bit stays 0 (no Huffman).
    int n = bytes.length;
    if (n < 127) {
      out.write(n);
    } else {
      out.write(127);
      n -= 127;
      while (n >= 128) {
        out.write((n & 0x7F) | 0x80);
        n >>>= 7;
      }
      out.write(n);
    }
    out.writeBytes(bytes);
  }

  private Http2FrameStream knownStream(int streamId) {
    Http2FrameStream stream = streams.get(streamId);
    if (stream == null) {
      throw new IllegalArgumentException("unknown stream " + streamId
          + " (write raw frames for streams the codec never saw)");
    }
    return stream;
  }

  /**
   * Runs the writes of {@code writes} (calls of this connection's write methods, from this
   * thread) and flushes them together, so they leave in one TCP segment as far as the OS allows
   * and the peer reads them in one go. Waits until all have gone out.
   */
  public final void corked(Runnable writes) {
    List<ChannelFuture> futures = new ArrayList<>();
    corked.set(futures);
    try {
      writes.run();
    } finally {
      corked.remove();
    }
    if (channel.eventLoop().inEventLoop()) {
      channel.flush();
    } else {
      channel.eventLoop().execute(channel::flush);
    }
    for (ChannelFuture f : futures) {
      await(f);
    }
  }

  /**
   * Runs a write on the event loop, flushes it (unless {@link #corked}) and waits until it has
   * gone out or failed.
   */
  private void write(Callable<ChannelFuture> write) {
    if (!channel.isActive()) {
      throw new IllegalStateException("connection is closed; unread: " + unread() + "; errors: "
          + errors());
    }
    List<ChannelFuture> cork = corked.get();
    ChannelFuture f = onLoop(() -> {
      ChannelFuture written = write.call();
      if (cork == null) {
        channel.flush();
      }
      return written;
    });
    if (cork != null) {
      cork.add(f);
    } else {
      await(f);
    }
  }

  /**
   * Runs {@code task} on the event loop and returns its result. An EmbeddedChannel's loop is the
   * calling thread: the task runs at once (submitting it would queue it until the test ran it).
   */
  private <T> T onLoop(Callable<T> task) {
    try {
      if (channel.eventLoop().inEventLoop()) {
        return task.call();
      }
      return channel.eventLoop().submit(task)
          .get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("write failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("event loop did not run the task within " + DEFAULT_TIMEOUT);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("write failed: " + e, e);
    }
  }

  /**
   * Waits for a write. A raw connection's write waits like a blocking socket's: until the bytes
   * are out or the connection fails, however long a peer that has stopped reading takes to close
   * it (the test's own timeout bounds that); others wait at most {@link #DEFAULT_TIMEOUT}.
   */
  private void await(ChannelFuture f) {
    if (isRaw()) {
      f.awaitUninterruptibly();
    } else if (!f.awaitUninterruptibly(DEFAULT_TIMEOUT.toMillis())) {
      throw new AssertionError("write did not complete within " + DEFAULT_TIMEOUT);
    }
    if (!f.isSuccess()) {
      throw new IllegalStateException("write failed: " + f.cause(), f.cause());
    }
  }


  // ---------------------------------------------------------------- reading

  /** The next frame of any kind, waiting up to {@link #DEFAULT_TIMEOUT}. */
  public final RawFrame nextFrame() {
    return take(f -> true, DEFAULT_TIMEOUT);
  }

  /** The next frame on {@code streamId}; frames of other streams stay queued. */
  public final RawFrame nextFrame(int streamId) {
    return take(f -> f.streamId() == streamId, DEFAULT_TIMEOUT);
  }

  /** The next frame of {@code type} on {@code streamId}; other frames stay queued. */
  public final RawFrame nextFrame(int streamId, RawFrame.Type type) {
    return take(f -> f.streamId() == streamId && f.type() == type, DEFAULT_TIMEOUT);
  }

  /**
   * Removes and returns the first received frame matching {@code filter}, waiting for one up to
   * {@code timeout}; frames that do not match stay queued in order.
   *
   * @throws AssertionError on timeout or if the connection closes first, listing unread frames
   */
  public final RawFrame take(Predicate<RawFrame> filter, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        RawFrame f = removeFirst(filter);
        if (f != null) {
          return f;
        }
        if (closed) {
          throw new AssertionError("connection closed without the expected frame; unread: "
              + received + "; errors: " + errors);
        }
        if (channel instanceof EmbeddedChannel) {
          // Nothing arrives while this thread waits: the test must exchange first.
          throw new AssertionError("no expected frame has arrived (after the last exchange);"
              + " unread: " + received + "; errors: " + errors);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no expected frame within " + timeout + "; unread: "
              + received + "; errors: " + errors);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /**
   * Removes and returns the first received frame matching {@code filter}, waiting for one up to
   * {@code timeout}; null if none came (or the connection closed first). For asserting that
   * something does not happen; prefer {@link #take} otherwise.
   */
  public final RawFrame poll(Predicate<RawFrame> filter, Duration timeout) {
    try {
      return take(filter, timeout);
    } catch (AssertionError none) {
      return null;
    }
  }

  /** Removes and returns the first received frame matching {@code filter}, or null; no wait. */
  public final RawFrame poll(Predicate<RawFrame> filter) {
    synchronized (lock) {
      return removeFirst(filter);
    }
  }

  /** Removes and returns every frame received and not yet taken, oldest first; no wait. */
  public final List<RawFrame> takeAll() {
    synchronized (lock) {
      List<RawFrame> all = new ArrayList<>(received);
      received.clear();
      return all;
    }
  }

  /** Frames received and not yet taken, oldest first. */
  public final List<RawFrame> unread() {
    synchronized (lock) {
      return new ArrayList<>(received);
    }
  }

  /**
   * Sends a PING and waits for its acknowledgement. The peer answers a PING after everything it
   * wrote before reading it, so frames it sent earlier are queued here when this returns.
   */
  public final void barrier() {
    long content = pingCounter.incrementAndGet();
    ping(content);
    take(f -> f.type() == RawFrame.Type.PING && f.isAck() && f.pingContent() == content,
        DEFAULT_TIMEOUT);
  }

  /** Waits until the connection is closed (by either side). */
  public final boolean awaitClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      if (channel instanceof EmbeddedChannel) {
        // Closing happens in exchange (or a timer the test ran), never while this thread waits.
        return closed;
      }
      while (!closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  public final boolean isOpen() {
    synchronized (lock) {
      return !closed;
    }
  }

  /**
   * How many bytes this side may still send on the connection: the peer's connection-level
   * flow-control window as the codec tracks it (SETTINGS and WINDOW_UPDATE frames on stream 0
   * are applied by the codec and never recorded as frames).
   */
  public final int sendWindow() {
    if (isRaw()) {
      throw new IllegalStateException("a raw connection keeps no flow-control state");
    }
    return onLoop(() -> codec.connection().remote().flowController()
        .windowSize(codec.connection().connectionStream()));
  }

  /** Exceptions the codec raised on this connection (stream and connection errors). */
  public final List<Throwable> errors() {
    synchronized (lock) {
      return new ArrayList<>(errors);
    }
  }

  /** Closes the connection and waits for it to close; an embedded one drops what it holds. */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly(DEFAULT_TIMEOUT.toMillis());
    if (channel instanceof EmbeddedChannel) {
      EmbeddedChannel ch = (EmbeddedChannel) channel;
      ch.runPendingTasks();
      for (Object m = ch.readOutbound(); m != null; m = ch.readOutbound()) {
        ReferenceCountUtil.release(m);
      }
      for (Object m = ch.readInbound(); m != null; m = ch.readInbound()) {
        ReferenceCountUtil.release(m);
      }
    }
  }

  private RawFrame removeFirst(Predicate<RawFrame> filter) {
    for (Iterator<RawFrame> it = received.iterator(); it.hasNext(); ) {
      RawFrame f = it.next();
      if (filter.test(f)) {
        it.remove();
        return f;
      }
    }
    return null;
  }

  /** An error on a raw connection's inbound side: kept for {@link #errors()}. */
  private void failed(Throwable cause) {
    synchronized (lock) {
      errors.add(cause);
      lock.notifyAll();
    }
  }

  private void record(RawFrame frame) {
    synchronized (lock) {
      received.add(frame);
      lock.notifyAll();
    }
  }

  /** Turns codec frames into {@link RawFrame}s and releases them. Event-loop only. */
  private final class Recorder extends Http2ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2Frame) {
          RawFrame frame = convert(ctx, (Http2Frame) msg);
          if (frame != null) {
            record(frame);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      synchronized (lock) {
        errors.add(cause);
        lock.notifyAll();
      }
    }

    private RawFrame convert(ChannelHandlerContext ctx, Http2Frame msg) {
      int streamId = 0;
      if (msg instanceof Http2StreamFrame) {
        Http2FrameStream stream = ((Http2StreamFrame) msg).stream();
        if (stream != null) {
          streamId = stream.id();
          streams.putIfAbsent(streamId, stream);
        }
      }
      if (msg instanceof Http2HeadersFrame) {
        Http2HeadersFrame h = (Http2HeadersFrame) msg;
        return RawFrame.builder(RawFrame.Type.HEADERS, streamId).headers(h.headers())
            .endStream(h.isEndStream()).build();
      }
      if (msg instanceof Http2DataFrame) {
        Http2DataFrame d = (Http2DataFrame) msg;
        int credit = d.initialFlowControlledBytes();
        if (autoWindowUpdate && credit > 0) {
          // Consumed at once: the frames are copied, so the window need not wait for the test.
          ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(credit).stream(d.stream()));
        }
        return RawFrame.builder(RawFrame.Type.DATA, streamId)
            .payload(ByteBufUtil.getBytes(d.content())).endStream(d.isEndStream()).build();
      }
      if (msg instanceof Http2ResetFrame) {
        return RawFrame.builder(RawFrame.Type.RST_STREAM, streamId)
            .errorCode(((Http2ResetFrame) msg).errorCode()).build();
      }
      if (msg instanceof Http2SettingsFrame) {
        return RawFrame.builder(RawFrame.Type.SETTINGS, 0)
            .settings(((Http2SettingsFrame) msg).settings()).build();
      }
      if (msg instanceof Http2SettingsAckFrame) {
        return RawFrame.builder(RawFrame.Type.SETTINGS_ACK, 0).build();
      }
      if (msg instanceof Http2PingFrame) {
        Http2PingFrame p = (Http2PingFrame) msg;
        return RawFrame.builder(RawFrame.Type.PING, 0).ping(p.content(), p.ack()).build();
      }
      if (msg instanceof Http2GoAwayFrame) {
        Http2GoAwayFrame g = (Http2GoAwayFrame) msg;
        return RawFrame.builder(RawFrame.Type.GOAWAY, 0).errorCode(g.errorCode())
            .lastStreamId(g.lastStreamId()).payload(ByteBufUtil.getBytes(g.content())).build();
      }
      if (msg instanceof Http2WindowUpdateFrame) {
        return RawFrame.builder(RawFrame.Type.WINDOW_UPDATE, streamId)
            .windowIncrement(((Http2WindowUpdateFrame) msg).windowSizeIncrement()).build();
      }
      if (msg instanceof Http2PriorityFrame) {
        return RawFrame.builder(RawFrame.Type.PRIORITY, streamId).build();
      }
      if (msg instanceof Http2PushPromiseFrame) {
        return RawFrame.builder(RawFrame.Type.PUSH_PROMISE, streamId)
            .headers(((Http2PushPromiseFrame) msg).http2Headers()).build();
      }
      if (msg instanceof Http2UnknownFrame) {
        return RawFrame.builder(RawFrame.Type.UNKNOWN, streamId)
            .payload(ByteBufUtil.getBytes(((Http2UnknownFrame) msg).content())).build();
      }
      return null;
    }
  }
}
