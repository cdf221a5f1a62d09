package dev.tern.internal;

import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Locale;

/**
 * Splits the DATA of one gRPC stream into length-prefixed messages (PROTOCOL-HTTP2.md
 * "Length-Prefixed-Message": 1-byte compressed flag, 4-byte big-endian length, message) and hands
 * them out only as the application {@link #request requests} them, so unread messages stay in
 * the HTTP/2 flow-control window instead of piling up.
 *
 * <p>Flow-control credit ({@link Sink#bytesConsumed}) is given for a message's bytes once it is
 * delivered, and earlier for the message the application is waiting for (requested but not yet
 * complete): without that, a message larger than the stream window could never arrive. Bytes of
 * messages nobody asked for are not credited, so a reader that stops requesting stops the sender.
 *
 * <p>Messages are not copied: a message that lies in one DATA frame is a retained slice of that
 * frame; one that spans frames is a composite of slices of them. While the unread bytes lie in
 * one frame (the common case) that frame is the whole buffer: no composite is allocated.
 *
 * <p>Not thread-safe: owned by the stream's event loop.
 */
public final class MessageDeframer {
  /** Frame header: compressed flag (1 byte) + message length (4 bytes). */
  public static final int HEADER_LENGTH = 5;

  private static final int COMPRESSED_FLAG_MASK = 1;
  private static final int RESERVED_FLAG_MASK = 0xFE;

  /** Receives what the deframer produces. Called on the deframer's thread. */
  public interface Sink {
    /**
     * One whole message. The sink owns {@code message} and must release it. {@code frameBytes} is
     * the flow-control credit still owed for it: the header plus message length, less what
     * {@link #bytesConsumed} already returned while the message was arriving.
     */
    void messageRead(ByteBuf message, boolean compressed, int frameBytes);

    /**
     * Bytes of a requested but still incomplete message arrived: return them to the flow-control
     * window now so that the rest of the message can be sent. A transport must implement this:
     * without it a message larger than the stream window never arrives. (The default, doing
     * nothing, suits sinks that do no flow control, such as tests.)
     */
    default void bytesConsumed(int bytes) {}

    /** The stream ended cleanly and every message was delivered. */
    void streamEnded();

    /** The input is malformed or over a limit; the deframer has released its buffers. */
    void deframeFailed(Status status);

    /**
     * Whether a message that is already whole in the buffer may be delivered although nobody
     * requested it (read ahead), so that a consumer on another thread can take it without asking
     * this thread first. Asked before each such message. No credit is given early for a message
     * read ahead: only whole messages that the flow-control window already let in are read
     * ahead, so reading ahead buffers nothing more than not reading would. The default, false,
     * delivers requested messages only.
     */
    default boolean readAhead() {
      return false;
    }
  }

  private final Sink sink;
  private final ByteBufAllocator alloc;
  /**
   * The unread bytes: empty, the one received buffer they lie in, or a composite once they span
   * several (only then is one allocated).
   */
  private ByteBuf buffer = Unpooled.EMPTY_BUFFER;
  private int maxMessageSize;
  private int requested;
  private int pendingLength = -1;
  private boolean pendingCompressed;
  /** Bytes of the frame being read (header included) already returned as credit. */
  private int credited;
  private boolean endOfStream;
  private boolean closed;
  private boolean delivering;

  public MessageDeframer(Sink sink, ByteBufAllocator alloc, int maxMessageSize) {
    this.sink = sink;
    this.alloc = alloc;
    this.maxMessageSize = maxMessageSize;
  }

  /** Changes the size limit for later messages. */
  public void setMaxMessageSize(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /** Adds received bytes; takes ownership of {@code data}. */
  public void deframe(ByteBuf data) {
    if (closed || endOfStream) {
      data.release();
      return;
    }
    if (!data.isReadable()) {
      data.release();
    } else if (!buffer.isReadable()) {
      buffer.release();
      buffer = data;
    } else if (buffer instanceof CompositeByteBuf) {
      ((CompositeByteBuf) buffer).addComponent(true, data);
    } else {
      CompositeByteBuf composite = alloc.compositeBuffer(Integer.MAX_VALUE);
      composite.addComponent(true, buffer);
      composite.addComponent(true, data);
      buffer = composite;
    }
    deliver();
  }

  /** The peer ended the stream; fails if a message was cut off (PROTOCOL-HTTP2.md). */
  public void endOfStream() {
    if (closed) {
      return;
    }
    endOfStream = true;
    deliver();
  }

  /** Allows {@code n} more messages to be delivered. */
  public void request(int n) {
    if (n <= 0 || closed) {
      return;
    }
    requested = (int) Math.min(Integer.MAX_VALUE, (long) requested + n);
    deliver();
  }

  /** Delivers what {@link Sink#readAhead} now allows (after the sink took messages). */
  public void resume() {
    if (!closed) {
      deliver();
    }
  }

  /** Bytes buffered and not yet handed out. */
  public int bufferedBytes() {
    return closed ? 0 : buffer.readableBytes();
  }

  /** Releases buffered bytes; nothing is delivered afterwards. Idempotent. */
  public void close() {
    if (!closed) {
      closed = true;
      buffer.release();
      buffer = Unpooled.EMPTY_BUFFER;
    }
  }

  /**
   * Whether a delivery is running on this thread's stack: a {@link #request} now only counts and
   * is picked up by that delivery's loop, never calling the sink itself.
   */
  public boolean isDelivering() {
    return delivering;
  }

  public boolean isClosed() {
    return closed;
  }

  private void deliver() {
    // A sink callback may call request(); the outer loop picks that up instead of recursing.
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      while (!closed && (requested > 0 || sink.readAhead()) && readFrame()) {
        // readFrame delivered one message (read ahead only if it was already whole: readFrame
        // returns false for a partial one, and only a requested one is credited early).
      }
      if (!closed && requested > 0) {
        creditPartialFrame();
      }
      if (!closed && endOfStream) {
        if (pendingLength < 0 && !buffer.isReadable()) {
          close();
          sink.streamEnded();
        } else if (!wholeFrameBuffered()) {
          // Bytes remain that can never form a whole message. A header that is complete but
          // invalid gets the error it would have got had it been read (found by fuzzing: the
          // answer must not depend on whether the application had requested it yet).
          Status invalid = pendingLength < 0 ? checkHeader() : null;
          fail(invalid != null ? invalid : Status.INTERNAL.withDescription(
              "Stream ended in the middle of a message (" + describePartial() + ")"));
        }
      }
    } finally {
      delivering = false;
    }
  }

  /** Credits the buffered bytes of the incomplete frame the application is waiting for. */
  private void creditPartialFrame() {
    int present = pendingLength >= 0
        ? HEADER_LENGTH + Math.min(buffer.readableBytes(), pendingLength)
        : Math.min(buffer.readableBytes(), HEADER_LENGTH);
    if (present > credited) {
      int bytes = present - credited;
      credited = present;
      sink.bytesConsumed(bytes);
    }
  }

  /** The error for the unread header at the reader index, or null if it is valid or partial. */
  private Status checkHeader() {
    if (buffer.readableBytes() < HEADER_LENGTH) {
      return null;
    }
    int flags = buffer.getUnsignedByte(buffer.readerIndex());
    if ((flags & RESERVED_FLAG_MASK) != 0) {
      return reservedFlags(flags);
    }
    long length = buffer.getUnsignedInt(buffer.readerIndex() + 1);
    return length > maxMessageSize ? tooLarge(length) : null;
  }

  private static Status reservedFlags(int flags) {
    return Status.INTERNAL.withDescription(
        "gRPC frame header malformed: reserved flag bits set (0x"
            + Integer.toHexString(flags) + ")");
  }

  private Status tooLarge(long length) {
    return Status.RESOURCE_EXHAUSTED.withDescription(String.format(Locale.ROOT,
        "gRPC message exceeds maximum size %d: %d", maxMessageSize, length));
  }

  /** Whether the next message is completely buffered (only waiting for a request). */
  private boolean wholeFrameBuffered() {
    if (pendingLength >= 0) {
      return buffer.readableBytes() >= pendingLength;
    }
    if (buffer.readableBytes() < HEADER_LENGTH) {
      return false;
    }
    long length = buffer.getUnsignedInt(buffer.readerIndex() + 1);
    return buffer.readableBytes() - HEADER_LENGTH >= length;
  }

  private String describePartial() {
    return pendingLength >= 0
        ? buffer.readableBytes() + " of " + pendingLength + " message bytes received"
        : buffer.readableBytes() + " of " + HEADER_LENGTH + " header bytes received";
  }

  /** Reads one message if enough bytes are buffered; returns whether one was delivered. */
  private boolean readFrame() {
    if (pendingLength < 0) {
      if (buffer.readableBytes() < HEADER_LENGTH) {
        return false;
      }
      int flags = buffer.readUnsignedByte();
      if ((flags & RESERVED_FLAG_MASK) != 0) {
        fail(reservedFlags(flags));
        return false;
      }
      pendingCompressed = (flags & COMPRESSED_FLAG_MASK) != 0;
      long length = buffer.readUnsignedInt();
      // Check the declared length before buffering any of it: a lie costs no allocation.
      if (length > maxMessageSize) {
        fail(tooLarge(length));
        return false;
      }
      pendingLength = (int) length;
    }
    if (buffer.readableBytes() < pendingLength) {
      return false;
    }
    ByteBuf message = readMessage(pendingLength);
    int frameBytes = HEADER_LENGTH + pendingLength - credited;
    boolean compressed = pendingCompressed;
    pendingLength = -1;
    credited = 0;
    if (!buffer.isReadable()) {
      // Drop the frame (or composite) now rather than with the next one.
      buffer.release();
      buffer = Unpooled.EMPTY_BUFFER;
    } else if (buffer instanceof CompositeByteBuf) {
      ((CompositeByteBuf) buffer).discardReadComponents();
    }
    if (requested > 0) {
      requested--;
    }
    sink.messageRead(message, compressed, frameBytes);
    return true;
  }

  /**
   * Takes the next {@code length} bytes as their own buffer. Slices of the composite itself would
   * shift when read components are discarded, so the message holds retained slices of the
   * underlying frames instead: no bytes are copied.
   */
  private ByteBuf readMessage(int length) {
    if (length == 0) {
      return Unpooled.EMPTY_BUFFER;
    }
    if (!(buffer instanceof CompositeByteBuf)) {
      return buffer.readRetainedSlice(length);
    }
    List<ByteBuf> parts = ((CompositeByteBuf) buffer).decompose(buffer.readerIndex(), length);
    buffer.skipBytes(length);
    if (parts.size() == 1) {
      return parts.get(0).retain();
    }
    CompositeByteBuf message = alloc.compositeBuffer(parts.size());
    for (ByteBuf part : parts) {
      message.addComponent(true, part.retain());
    }
    return message;
  }

  private void fail(Status status) {
    close();
    sink.deframeFailed(status);
  }
}
