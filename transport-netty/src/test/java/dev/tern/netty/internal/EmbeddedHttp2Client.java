package dev.tern.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A scripted HTTP/2 client for a server handler in an {@link EmbeddedChannel}: writes frames as
 * bytes into the channel and parses the frames the server wrote. No sockets, no threads: every
 * step runs on the test thread, in the order the test names. Not thread-safe.
 */
final class EmbeddedHttp2Client {
  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int WINDOW_UPDATE = 8;
  static final int FLAG_END_STREAM = 0x1;
  static final int FLAG_ACK = 0x1;
  static final int FLAG_END_HEADERS = 0x4;
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** One frame the server wrote. */
  record Frame(int type, int flags, int streamId, byte[] payload) {
    long pingData() {
      return Unpooled.wrappedBuffer(payload).readLong();
    }

    int lastStreamId() {
      return Unpooled.wrappedBuffer(payload).readInt() & Integer.MAX_VALUE;
    }

    long errorCode() {
      return Unpooled.wrappedBuffer(payload).getUnsignedInt(type == GOAWAY ? 4 : 0);
    }
  }

  private final EmbeddedChannel channel;
  private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
  private final ByteBuf pending = Unpooled.buffer();

  EmbeddedHttp2Client(EmbeddedChannel channel) {
    this.channel = channel;
  }

  /** The connection preface and an empty SETTINGS (RFC 9113 §3.4). */
  void preface() {
    ByteBuf out = Unpooled.buffer();
    out.writeBytes(PREFACE);
    header(out, 0, SETTINGS, 0, 0);
    channel.writeInbound(out);
  }

  /** A request's HEADERS for {@code path}, with END_STREAM if {@code endStream}. */
  void request(int streamId, String path, boolean endStream) throws Http2Exception {
    Http2Headers headers = new DefaultHttp2Headers()
        .method("POST").scheme("http").path(path).authority("test")
        .set("content-type", "application/grpc").set("te", "trailers");
    ByteBuf block = Unpooled.buffer();
    hpack.encodeHeaders(streamId, headers, block);
    ByteBuf out = Unpooled.buffer();
    header(out, block.readableBytes(), HEADERS,
        FLAG_END_HEADERS | (endStream ? FLAG_END_STREAM : 0), streamId);
    out.writeBytes(block);
    block.release();
    channel.writeInbound(out);
  }

  void rstStream(int streamId, long errorCode) {
    ByteBuf out = Unpooled.buffer();
    header(out, 4, RST_STREAM, 0, streamId);
    out.writeInt((int) errorCode);
    channel.writeInbound(out);
  }

  void pingAck(long data) {
    ByteBuf out = Unpooled.buffer();
    header(out, 8, PING, FLAG_ACK, 0);
    out.writeLong(data);
    channel.writeInbound(out);
  }

  /** Every frame the server has written since the last call. */
  List<Frame> frames() {
    ByteBuf buf;
    while ((buf = channel.readOutbound()) != null) {
      pending.writeBytes(buf);
      buf.release();
    }
    List<Frame> frames = new ArrayList<>();
    while (pending.readableBytes() >= 9) {
      int length = pending.getUnsignedMedium(pending.readerIndex());
      if (pending.readableBytes() < 9 + length) {
        break;
      }
      pending.skipBytes(3);
      int type = pending.readUnsignedByte();
      int flags = pending.readUnsignedByte();
      int streamId = pending.readInt() & Integer.MAX_VALUE;
      frames.add(new Frame(type, flags, streamId, ByteBufUtil.getBytes(pending.readSlice(length))));
    }
    pending.discardReadBytes();
    return frames;
  }

  /** The frames of {@code type} the server has written since the last call to frames(). */
  List<Frame> frames(int type) {
    return frames().stream().filter(f -> f.type() == type).toList();
  }

  void close() {
    pending.release();
    channel.finishAndReleaseAll();
  }

  private static void header(ByteBuf out, int length, int type, int flags, int streamId) {
    out.writeMedium(length);
    out.writeByte(type);
    out.writeByte(flags);
    out.writeInt(streamId);
  }
}
