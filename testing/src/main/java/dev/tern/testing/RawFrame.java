package dev.tern.testing;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/2 frame received by a {@link RawHttp2Connection}, copied out of Netty's buffers so a
 * test can keep it without owning anything that needs releasing. Immutable.
 */
public final class RawFrame {
  /** Frame types (RFC 9113 §6), plus the SETTINGS acknowledgement as its own kind. */
  public enum Type {
    HEADERS, DATA, RST_STREAM, SETTINGS, SETTINGS_ACK, PING, GOAWAY, WINDOW_UPDATE, PRIORITY,
    PUSH_PROMISE, UNKNOWN
  }

  private final Type type;
  private final int streamId;
  private final boolean endStream;
  private final Http2Headers headers;
  private final byte[] payload;
  private final long errorCode;
  private final Http2Settings settings;
  private final long pingContent;
  private final boolean ack;
  private final int lastStreamId;
  private final int windowIncrement;

  private RawFrame(Builder b) {
    this.type = b.type;
    this.streamId = b.streamId;
    this.endStream = b.endStream;
    this.headers = b.headers;
    this.payload = b.payload;
    this.errorCode = b.errorCode;
    this.settings = b.settings;
    this.pingContent = b.pingContent;
    this.ack = b.ack;
    this.lastStreamId = b.lastStreamId;
    this.windowIncrement = b.windowIncrement;
  }

  static Builder builder(Type type, int streamId) {
    return new Builder(type, streamId);
  }

  public Type type() {
    return type;
  }

  /** The stream id; 0 for connection-level frames. */
  public int streamId() {
    return streamId;
  }

  /** END_STREAM on HEADERS or DATA. */
  public boolean isEndStream() {
    return endStream;
  }

  /** The decoded header block of a HEADERS (or PUSH_PROMISE) frame. */
  public Http2Headers headers() {
    requireType(Type.HEADERS, Type.PUSH_PROMISE);
    return headers;
  }

  /** DATA bytes (without padding), GOAWAY debug data or an unknown frame's payload. */
  public byte[] payload() {
    return payload == null ? new byte[0] : payload.clone();
  }

  /** The error code of RST_STREAM or GOAWAY. */
  public long errorCode() {
    requireType(Type.RST_STREAM, Type.GOAWAY);
    return errorCode;
  }

  public Http2Settings settings() {
    requireType(Type.SETTINGS);
    return settings;
  }

  public long pingContent() {
    requireType(Type.PING);
    return pingContent;
  }

  /** Whether a PING is an acknowledgement. */
  public boolean isAck() {
    return ack;
  }

  public int lastStreamId() {
    requireType(Type.GOAWAY);
    return lastStreamId;
  }

  public int windowIncrement() {
    requireType(Type.WINDOW_UPDATE);
    return windowIncrement;
  }

  /** The header names and values as a sorted map (last value wins), for exact comparisons. */
  public Map<String, String> headerMap() {
    Map<String, String> map = new TreeMap<>();
    for (Map.Entry<CharSequence, CharSequence> e : headers()) {
      map.put(e.getKey().toString(), e.getValue().toString());
    }
    return map;
  }

  /** A header value as a String, or null. */
  public String header(CharSequence name) {
    CharSequence v = headers().get(name);
    return v == null ? null : v.toString();
  }

  private void requireType(Type... allowed) {
    for (Type t : allowed) {
      if (t == type) {
        return;
      }
    }
    throw new IllegalStateException("not a " + Arrays.toString(allowed) + " frame: " + this);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(type.name()).append("(stream=").append(streamId);
    switch (type) {
      case HEADERS:
      case PUSH_PROMISE:
        sb.append(", endStream=").append(endStream).append(", ").append(headerMap());
        break;
      case DATA:
        sb.append(", endStream=").append(endStream).append(", ").append(payload.length)
            .append(" bytes");
        break;
      case RST_STREAM:
        sb.append(", error=").append(errorName(errorCode));
        break;
      case GOAWAY:
        sb.append(", lastStreamId=").append(lastStreamId).append(", error=")
            .append(errorName(errorCode)).append(", debug='")
            .append(new String(payload, StandardCharsets.UTF_8)).append('\'');
        break;
      case SETTINGS:
        sb.append(", ").append(settings);
        break;
      case PING:
        sb.append(", ack=").append(ack).append(", content=").append(pingContent);
        break;
      case WINDOW_UPDATE:
        sb.append(", increment=").append(windowIncrement);
        break;
      default:
        break;
    }
    return sb.append(')').toString();
  }

  private static String errorName(long code) {
    Http2Error e = Http2Error.valueOf(code);
    return e == null ? Long.toString(code) : e.name();
  }

  static final class Builder {
    private final Type type;
    private final int streamId;
    private boolean endStream;
    private Http2Headers headers;
    private byte[] payload;
    private long errorCode;
    private Http2Settings settings;
    private long pingContent;
    private boolean ack;
    private int lastStreamId;
    private int windowIncrement;

    private Builder(Type type, int streamId) {
      this.type = type;
      this.streamId = streamId;
    }

    Builder endStream(boolean v) {
      this.endStream = v;
      return this;
    }

    Builder headers(Http2Headers v) {
      this.headers = v;
      return this;
    }

    Builder payload(byte[] v) {
      this.payload = v;
      return this;
    }

    Builder errorCode(long v) {
      this.errorCode = v;
      return this;
    }

    Builder settings(Http2Settings v) {
      this.settings = v;
      return this;
    }

    Builder ping(long content, boolean isAck) {
      this.pingContent = content;
      this.ack = isAck;
      return this;
    }

    Builder lastStreamId(int v) {
      this.lastStreamId = v;
      return this;
    }

    Builder windowIncrement(int v) {
      this.windowIncrement = v;
      return this;
    }

    RawFrame build() {
      return new RawFrame(this);
    }
  }
}
