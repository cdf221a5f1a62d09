package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Stream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Decorates a server's connection decoder (Netty's decorating-decoder pattern) to enforce the
 * stream-state rules Netty's decoder relaxes, because it cannot tell a stream that never existed
 * from one that closed (RFC 9113):
 * <ul>
 *   <li>§5.1.1: a HEADERS frame opening a stream with a lower identifier than one the client
 *       already opened is a connection error of type PROTOCOL_ERROR (Netty: stream error).
 *   <li>§5.1 "half-closed (remote)": HEADERS after the client's END_STREAM is a stream error of
 *       type STREAM_CLOSED (Netty: PROTOCOL_ERROR).
 *   <li>§5.1 "closed": HEADERS or DATA on a stream that closed after END_STREAM in both directions
 *       (no RST_STREAM) is a connection error of type STREAM_CLOSED (Netty: stream error).
 * </ul>
 * To do so it remembers the last {@value #WINDOW} client stream identifiers: whether each was
 * opened, and whether it closed cleanly. Frames for older identifiers get Netty's answer.
 *
 * <p>The rules are judged on each frame's header, after every earlier frame has been processed
 * and before this one is: the decoder is handed the input one frame at a time (Netty's frame
 * reader processes a frame only once all of it has arrived, so this changes no behaviour). A
 * connection error is raised before the frame reaches Netty; the half-closed stream error after,
 * so that the header block still updates the HPACK state (RFC 9113 §4.3).
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class StreamStateDecoder extends DecoratingHttp2ConnectionDecoder {
  /** Client stream identifiers remembered (a power of two). */
  static final int WINDOW = 4096;
  /**
   * Identifiers the bit sets hold at first: a connection that opens fewer than 64 streams
   * (most: one burst of connections, each with a few calls) never grows them to the
   * {@value #WINDOW} identifiers (1.5 KiB) a long-lived connection uses.
   */
  static final int INITIAL_IDS = 64;
  // Per 64 identifiers, three words: which were opened, reset, closed cleanly.
  private static final int OPENED = 0;
  private static final int RESET = 1;
  private static final int CLOSED_CLEANLY = 2;
  private static final int SETS = 3;
  /** No frame in progress: the input starts with a frame header. */
  private static final int AT_FRAME_HEADER = -1;

  private final Http2Connection connection;
  // The bit sets, interleaved; they hold identifiers modulo their capacity (a power of two up to
  // WINDOW), grown before the first identifier that would wrap around.
  private long[] bits = new long[INITIAL_IDS / 64 * SETS];
  private int capacityIds = INITIAL_IDS;
  // Index (stream id / 2) of the highest client stream opened; -1 before the first.
  private int highest = -1;
  // Payload bytes of the current frame the reader still waits for, or AT_FRAME_HEADER.
  private int payloadRemaining = AT_FRAME_HEADER;
  // The stream of the current frame if it is HEADERS on a half-closed (remote) stream, else 0.
  private int headersAfterEndStream;
  // Whether the current frame ends a header block (HEADERS or CONTINUATION with END_HEADERS).
  private boolean endsHeaderBlock;
  // A connection error was raised.
  private boolean failed;

  StreamStateDecoder(Http2ConnectionDecoder delegate) {
    super(delegate);
    this.connection = delegate.connection();
    connection.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamClosed(Http2Stream stream) {
        if (!connection.local().isValidStreamId(stream.id())) {
          int index = stream.id() >>> 1;
          if (inWindow(index) && !stream.isResetSent() && !get(RESET, index)) {
            set(CLOSED_CLEANLY, index);
          }
        }
      }
    });
  }

  @Override
  public void decodeFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Http2Exception {
    if (failed) {
      // After a connection error the connection is closing: skip what follows, as Netty's
      // frame reader does.
      in.skipBytes(in.readableBytes());
      return;
    }
    while (true) {
      int readable = in.readableBytes();
      if (payloadRemaining == AT_FRAME_HEADER) {
        if (readable < Http2CodecUtil.FRAME_HEADER_LENGTH) {
          return;
        }
        int start = in.readerIndex();
        int inert = inertFrames(in);
        if (inert > 0) {
          // Frames no rule looks at, in one piece: a flood of them costs no more than before.
          if (decodeRange(ctx, in, inert, false, out) == 0) {
            return; // the reader gave up on the connection
          }
          continue;
        }
        int length = in.getUnsignedMedium(start);
        byte type = in.getByte(start + 3);
        byte flags = in.getByte(start + 4);
        int streamId = in.getInt(start + 5) & Integer.MAX_VALUE;
        try {
          inspect(type, streamId);
        } catch (Http2Exception e) {
          failed = true;
          throw e;
        }
        endsHeaderBlock = (type == Http2FrameTypes.HEADERS || type == Http2FrameTypes.CONTINUATION)
            && (flags & Http2Flags.END_HEADERS) != 0;
        int available = Math.min(length, readable - Http2CodecUtil.FRAME_HEADER_LENGTH);
        int consumed = decodeRange(ctx, in, Http2CodecUtil.FRAME_HEADER_LENGTH + available,
            available == length, out);
        if (consumed == Http2CodecUtil.FRAME_HEADER_LENGTH + length) {
          continue; // the whole frame
        }
        if (consumed != Http2CodecUtil.FRAME_HEADER_LENGTH) {
          return; // the reader gave up on the connection (it skips what follows)
        }
        payloadRemaining = length; // the reader holds the header and waits for the payload
      } else {
        if (readable < payloadRemaining) {
          return; // kept in the cumulation until the payload is complete
        }
        int length = payloadRemaining;
        payloadRemaining = AT_FRAME_HEADER;
        decodeRange(ctx, in, length, true, out);
      }
    }
  }

  /**
   * The length of the complete frames at the start of {@code in} that no rule looks at (PRIORITY,
   * SETTINGS, PING, GOAWAY, WINDOW_UPDATE, unknown types), up to the first other or incomplete
   * frame.
   */
  private static int inertFrames(ByteBuf in) {
    int start = in.readerIndex();
    int readable = in.readableBytes();
    // Read through a plain NIO view where there is one: a leak-detecting buffer records every
    // access, which would cost more than the frames themselves in a flood.
    ByteBuffer view = in.nioBufferCount() == 1 ? in.internalNioBuffer(start, readable) : null;
    int base = view == null ? start : view.position();
    int at = 0;
    while (readable - at >= Http2CodecUtil.FRAME_HEADER_LENGTH) {
      // One read per frame: length (24 bits) and type (8 bits) lead the header (RFC 9113 §4.1).
      int lengthAndType = view == null ? in.getInt(base + at) : view.getInt(base + at);
      int frameEnd = at + Http2CodecUtil.FRAME_HEADER_LENGTH + (lengthAndType >>> 8);
      byte type = (byte) lengthAndType;
      if (frameEnd > readable || type == Http2FrameTypes.HEADERS || type == Http2FrameTypes.DATA
          || type == Http2FrameTypes.RST_STREAM || type == Http2FrameTypes.CONTINUATION
          || type == Http2FrameTypes.PUSH_PROMISE) {
        break;
      }
      at = frameEnd;
    }
    return at;
  }

  /**
   * Hands the next {@code length} bytes to Netty's decoder; returns how many it consumed.
   * {@code completesFrame}: they end the current frame, which Netty then processes.
   */
  private int decodeRange(ChannelHandlerContext ctx, ByteBuf in, int length,
      boolean completesFrame, List<Object> out) throws Http2Exception {
    // The half-closed rule is judged once Netty has decoded the whole header block.
    int halfClosedStream = completesFrame && endsHeaderBlock ? headersAfterEndStream : 0;
    if (halfClosedStream != 0) {
      headersAfterEndStream = 0;
    }
    // Netty's decoder reads the input itself, bounded to these bytes for the call: no slice
    // (a derived buffer per frame would cost more than the frame under leak detection).
    int start = in.readerIndex();
    int writerIndex = in.writerIndex();
    in.writerIndex(start + length);
    try {
      super.decodeFrame(ctx, in, out);
    } catch (Http2Exception e) {
      throw halfClosedStream != 0 ? halfClosed(halfClosedStream, e) : e;
    } finally {
      in.writerIndex(writerIndex);
    }
    if (halfClosedStream != 0) {
      throw halfClosed(halfClosedStream, null);
    }
    return in.readerIndex() - start;
  }

  private static Http2Exception halfClosed(int streamId, Throwable nettyError) {
    return Http2Exception.streamError(streamId, Http2Error.STREAM_CLOSED, nettyError,
        "HEADERS on stream %d after its END_STREAM (RFC 9113 §5.1, half-closed (remote))",
        streamId);
  }

  /** Judges a frame by its header, before Netty processes it. */
  private void inspect(byte type, int streamId) throws Http2Exception {
    if (!isClientStream(streamId)) {
      return;
    }
    switch (type) {
      case Http2FrameTypes.HEADERS -> onHeaders(streamId);
      case Http2FrameTypes.DATA -> {
        if (connection.stream(streamId) == null) {
          // Only connection errors here: a stream error would skip Netty's flow-control
          // accounting.
          checkUnknownStream(streamId, "DATA");
        }
      }
      case Http2FrameTypes.RST_STREAM -> {
        int index = streamId >>> 1;
        if (inWindow(index)) {
          set(RESET, index);
        }
      }
      default -> { }
    }
  }

  private void onHeaders(int streamId) throws Http2Exception {
    Http2Stream stream = connection.stream(streamId);
    if (stream != null) {
      Http2Stream.State state = stream.state();
      if ((state == Http2Stream.State.HALF_CLOSED_REMOTE || state == Http2Stream.State.CLOSED)
          && !stream.isResetSent()) {
        headersAfterEndStream = streamId;
      }
      return;
    }
    int index = streamId >>> 1;
    if (index > highest) {
      // Opens a new stream (Netty validates the rest).
      advanceTo(index);
      set(OPENED, index);
      return;
    }
    checkUnknownStream(streamId, "HEADERS");
  }

  /** A frame for a client stream id at or below the highest opened, not currently open. */
  private void checkUnknownStream(int streamId, String frame) throws Http2Exception {
    int index = streamId >>> 1;
    if (index > highest || !inWindow(index)) {
      return;
    }
    if (connection.goAwaySent() && streamId > connection.remote().lastStreamKnownByPeer()) {
      // Netty ignores frames for streams above our GOAWAY's last-stream-id, as RFC 9113 §6.8 asks.
      return;
    }
    if (!get(OPENED, index)) {
      throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
          "%s for stream %d, lower than stream %d already opened (RFC 9113 §5.1.1)",
          frame, streamId, highest * 2 + 1);
    }
    if (get(CLOSED_CLEANLY, index)) {
      throw Http2Exception.connectionError(Http2Error.STREAM_CLOSED,
          "%s for stream %d, closed after END_STREAM (RFC 9113 §5.1, closed)", frame, streamId);
    }
  }

  private boolean isClientStream(int streamId) {
    return streamId > 0 && (streamId & 1) == 1;
  }

  private boolean inWindow(int index) {
    return index <= highest && index > highest - WINDOW;
  }

  private void advanceTo(int index) {
    if (index >= capacityIds && capacityIds < WINDOW) {
      grow(index);
    }
    // Forget the slots the window slides over, at most WINDOW of them.
    int from = Math.max(highest + 1, index - WINDOW + 1);
    for (int i = from; i <= index; i++) {
      clear(OPENED, i);
      clear(RESET, i);
      clear(CLOSED_CLEANLY, i);
    }
    highest = index;
  }

  /**
   * Makes room for {@code index}. Until now no identifier wrapped around (every one remembered is
   * below the old capacity), so each keeps its slot.
   */
  private void grow(int index) {
    int ids = index >= WINDOW / 2 ? WINDOW : Integer.highestOneBit(index) << 1;
    long[] grown = new long[ids / 64 * SETS];
    System.arraycopy(bits, 0, grown, 0, bits.length);
    bits = grown;
    capacityIds = ids;
  }

  private int word(int set, int index) {
    return ((index & (capacityIds - 1)) >>> 6) * SETS + set;
  }

  private boolean get(int set, int index) {
    return (bits[word(set, index)] & (1L << (index & 63))) != 0;
  }

  private void set(int set, int index) {
    bits[word(set, index)] |= 1L << (index & 63);
  }

  private void clear(int set, int index) {
    bits[word(set, index)] &= ~(1L << (index & 63));
  }
}
