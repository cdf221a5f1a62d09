package dev.tern.netty.internal;

import dev.tern.Codec;
import dev.tern.Status;
import dev.tern.internal.Compression;
import dev.tern.internal.MessageDeframer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The inbound half of one stream: turns DATA into messages and hands them out as the application
 * requests them, shared by client and server calls.
 *
 * <ul>
 *   <li><b>Deframing</b> through core's {@link MessageDeframer} (PROTOCOL-HTTP2.md
 *       "Length-Prefixed-Message"); the size limit is checked on the declared length before
 *       anything is buffered.
 *   <li><b>Window credit</b>: a message's bytes go back to the stream's flow-control window
 *       ({@code returnBytes}) when it is handed out, and earlier for a requested message that is
 *       still arriving, so unread messages hold the peer back (RFC 9113 §6.9).
 *   <li><b>Compression</b>: a compressed message needs a {@code grpc-encoding} other than
 *       identity (PROTOCOL-HTTP2.md "Compressed-Flag"); {@link #decode} decompresses it under the
 *       same size limit, on the caller's thread (the callback executor, off the event loop).
 *   <li><b>Sizes</b> for tracers: each message is reported with its wire size (as received,
 *       without the 5-byte prefix); {@link #decode} gives the uncompressed size.
 * </ul>
 *
 * <p>Thread rule: everything but {@link #decode} runs on the stream's event loop; {@link #decode}
 * only reads final fields and the codec published by {@link #setCodec} before the first message.
 */
final class MessageReader implements MessageDeframer.Sink {
  /** Where the reader's output goes; called on the event loop. */
  interface Target {
    /** Gives {@code bytes} back to the stream's receive window. */
    void returnBytes(int bytes);

    /**
     * A whole requested message; the target owns {@code message} and must release it (usually
     * through {@link #decode}). {@code wireSize} is its length on the wire.
     */
    void messageRead(ByteBuf message, boolean compressed, int wireSize);

    /**
     * A whole message and the window credit still owed for it. By default the credit goes back
     * at once; a target that reads ahead ({@link #readAhead}) keeps it until the application
     * takes the message, so that unread messages still hold the peer back (RFC 9113 §6.9).
     */
    default void messageRead(ByteBuf message, boolean compressed, int wireSize, int credit) {
      if (credit > 0) {
        returnBytes(credit);
      }
      messageRead(message, compressed, wireSize);
    }

    /**
     * Whether one more message that is already whole may be read before it is requested (see
     * {@link MessageDeframer.Sink#readAhead}); asked before each. By default, never.
     */
    default boolean readAhead() {
      return false;
    }

    /** The peer ended the stream and every message before the end was delivered. */
    void endOfStream();

    /** Malformed input or a limit exceeded; the reader has released its buffers. */
    void readFailed(Status status);
  }

  private final Target target;
  private final MessageDeframer deframer;
  private final int maxMessageSize;
  /** "response" or "request", for error messages. */
  private final String peer;
  /** The peer's message encoding; null for identity. */
  private volatile Codec codec;

  /**
   * @param target receives the messages and gives bytes back to the stream's window
   * @param maxMessageSize the inbound limit, on the uncompressed size as well
   * @param peer what is read, "response" or "request", for error descriptions
   */
  MessageReader(Target target, ByteBufAllocator alloc, int maxMessageSize, Codec codec,
      String peer) {
    this.peer = peer;
    this.target = target;
    this.maxMessageSize = maxMessageSize;
    this.codec = codec;
    // The reader is the deframer's sink itself: no extra object per stream.
    this.deframer = new MessageDeframer(this, alloc, maxMessageSize);
  }

  /** The encoding the peer announced (a client learns it from the response headers). */
  void setCodec(Codec codec) {
    this.codec = codec;
  }

  int maxMessageSize() {
    return maxMessageSize;
  }

  /** Adds received DATA; takes ownership of {@code data}. */
  void deframe(ByteBuf data) {
    deframer.deframe(data);
  }

  /** The application asks for {@code n} more messages. */
  void request(int n) {
    deframer.request(n);
  }

  /** Bytes received and not yet handed out. */
  int bufferedBytes() {
    return deframer.bufferedBytes();
  }

  /**
   * Whether {@link #request} made now only counts: a delivery is running (its loop picks the
   * request up) or nothing is buffered, so no message, end or failure is handed out from it.
   */
  boolean requestOnlyCounts() {
    return deframer.isDelivering() || deframer.bufferedBytes() == 0;
  }

  /** Reads on as far as {@link Target#readAhead} now allows. */
  void resume() {
    deframer.resume();
  }

  /** The peer ended the stream: delivers what is buffered, then reports the end. */
  void endOfStream() {
    deframer.endOfStream();
  }

  /** Drops buffered bytes; nothing is delivered afterwards. Idempotent. */
  void close() {
    deframer.close();
  }

  /**
   * Decompresses {@code message} if {@code compressed}; releases {@code message} when it returns
   * another buffer. Any thread.
   *
   * @throws dev.tern.StatusRuntimeException RESOURCE_EXHAUSTED past the limit, INTERNAL if corrupt
   */
  ByteBuf decode(ByteBuf message, boolean compressed) {
    if (!compressed) {
      return message;
    }
    return Compression.decompress(codec, message, PooledByteBufAllocator.DEFAULT, maxMessageSize);
  }

  // ---------------------------------------------------------------- MessageDeframer.Sink
  // The deframer's output, checked and passed on; event loop. Not for other callers.

  @Override
  public void messageRead(ByteBuf message, boolean compressed, int frameBytes) {
    if (compressed && codec == null) {
      message.release();
      deframer.close();
      // PROTOCOL-HTTP2.md: the Compressed-Flag requires a grpc-encoding other than identity.
      target.readFailed(Status.INTERNAL.withDescription(
          "Compressed message received but the " + peer + " has no grpc-encoding"));
      return;
    }
    target.messageRead(message, compressed, message.readableBytes(), frameBytes);
  }

  @Override
  public boolean readAhead() {
    return target.readAhead();
  }

  @Override
  public void bytesConsumed(int bytes) {
    target.returnBytes(bytes);
  }

  @Override
  public void streamEnded() {
    target.endOfStream();
  }

  @Override
  public void deframeFailed(Status status) {
    target.readFailed(status);
  }
}
