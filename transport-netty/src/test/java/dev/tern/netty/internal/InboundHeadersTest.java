package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.Metadata;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Received header blocks decoded into {@link InboundHeaders}: the same answers as Netty's
 * {@link DefaultHttp2Headers}, the same name checks, and full Headers behaviour past the reads
 * the call path makes.
 */
class InboundHeadersTest {
  private static final Metadata.Key<String> CUSTOM =
      Metadata.Key.ascii("x-custom");

  private static Http2Headers request() {
    return new DefaultHttp2Headers()
        .method("POST").scheme("http").path("/pkg.Service/Method").authority("localhost:1")
        .add("content-type", "application/grpc")
        .add("te", "trailers")
        .add("x-custom", "one")
        .add("x-custom", "two")
        .add("user-agent", "test");
  }

  /** Encodes {@code headers} with HPACK and decodes them as a connection of ours would. */
  private static Http2Headers roundTrip(Http2Headers headers) throws Http2Exception {
    ByteBuf block = Unpooled.buffer();
    try {
      new DefaultHttp2HeadersEncoder(DefaultHttp2HeadersEncoder.NEVER_SENSITIVE, false)
          .encodeHeaders(3, headers, block);
      return new InboundHeadersDecoder(true, 8192).decodeHeaders(3, block);
    } finally {
      block.release();
    }
  }

  @Test
  void decodedRequestAnswersLikeNettysHeaders() throws Exception {
    Http2Headers decoded = roundTrip(request());

    assertInstanceOf(InboundHeaders.class, decoded);
    assertEquals("POST", decoded.method().toString());
    assertEquals("/pkg.Service/Method", decoded.path().toString());
    assertEquals("localhost:1", decoded.authority().toString());
    assertEquals("http", decoded.scheme().toString());
    assertNull(decoded.status());
    assertEquals("one", decoded.get("x-custom").toString());
    assertEquals(List.of("one", "two"), strings(decoded.getAll("x-custom")));
    assertTrue(decoded.getAll("content-length").isEmpty());
    assertTrue(decoded.contains("te"));
    assertFalse(decoded.contains("grpc-timeout"));
    assertEquals(9, decoded.size());
    List<String> names = new ArrayList<>();
    for (Map.Entry<CharSequence, CharSequence> e : decoded) {
      names.add(e.getKey().toString());
    }
    assertEquals(List.of(":method", ":scheme", ":path", ":authority", "content-type", "te",
        "x-custom", "x-custom", "user-agent"), names);
  }

  @Test
  void metadataFromDecodedHeadersEqualsMetadataFromNettysHeaders() throws Exception {
    Metadata fromDecoded = GrpcHeaders.toMetadata(roundTrip(request()));
    Metadata fromNetty = GrpcHeaders.toMetadata(request());

    assertEquals(List.of("one", "two"), fromDecoded.getAll(CUSTOM));
    assertEquals(fromNetty.toString(), fromDecoded.toString());
  }

  @Test
  void reservedHeadersAreNotMetadata() throws Exception {
    List<String> reserved = List.of("content-type", "te", "grpc-status", "grpc-message",
        "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "grpc-message-type",
        "connection", "host");
    // Names as Strings (any Http2Headers) and as AsciiStrings, as decoded (InboundHeaders).
    Http2Headers strings = new DefaultHttp2Headers(false).add("x-kept", "1");
    Http2Headers decoded = new InboundHeaders(false, 1).add(AsciiString.of("x-kept"), "1");
    for (String name : reserved) {
      assertTrue(Metadata.isReserved(name), name);
      strings.add(name, "v");
      decoded.add(AsciiString.of(name), "v");
    }
    strings.add("x-kept-too", "2");
    decoded.add(AsciiString.of("x-kept-too"), "2");

    for (Http2Headers headers : List.of(strings, decoded)) {
      Metadata md = GrpcHeaders.toMetadata(headers);
      assertEquals(2, md.size(), md::toString);
      assertEquals("1", md.get(Metadata.Key.ascii("x-kept")));
      assertEquals("2", md.get(Metadata.Key.ascii("x-kept-too")));
    }
  }

  @Test
  void upperCaseNameFailsTheStream() {
    Http2Headers bad = new DefaultHttp2Headers(false).method("POST").add("X-Upper", "v");

    Http2Exception e = assertThrows(Http2Exception.class, () -> roundTrip(bad));

    assertInstanceOf(Http2Exception.StreamException.class, e);
    assertEquals(Http2Error.PROTOCOL_ERROR, e.error());
  }

  @Test
  void unknownPseudoHeaderFailsTheStream() {
    Http2Headers bad = new DefaultHttp2Headers(false).add(":bogus", "v");

    Http2Exception e = assertThrows(Http2Exception.class, () -> roundTrip(bad));

    assertEquals(Http2Error.PROTOCOL_ERROR, e.error());
  }

  @Test
  void duplicatePseudoHeaderFailsTheStream() {
    Http2Headers bad = new DefaultHttp2Headers(false).method("POST").add(":method", "GET");

    Http2Exception e = assertThrows(Http2Exception.class, () -> roundTrip(bad));

    assertInstanceOf(Http2Exception.StreamException.class, e);
    assertEquals(Http2Error.PROTOCOL_ERROR, e.error());
  }

  @Test
  void emptyPseudoHeaderFailsTheStream() {
    Http2Headers bad = new DefaultHttp2Headers(false).method("POST").path("");

    Http2Exception e = assertThrows(Http2Exception.class, () -> roundTrip(bad));

    assertEquals(Http2Error.PROTOCOL_ERROR, e.error());
  }

  @Test
  void methodsBeyondTheCallPathSeeAndKeepChanges() throws Exception {
    Http2Headers decoded = roundTrip(request().addInt("x-number", 7));

    assertEquals(7, decoded.getInt("x-number"));
    decoded.set("x-custom", "three");
    decoded.remove("te");

    assertEquals(List.of("three"), strings(decoded.getAll("x-custom")));
    assertFalse(decoded.contains("te"));
    assertEquals("POST", decoded.method().toString());
    assertEquals(8, decoded.size());
    assertEquals(List.of("three"), GrpcHeaders.toMetadata(decoded).getAll(CUSTOM));
  }

  @Test
  void equalsNettysHeadersWithTheSameFields() throws Exception {
    Http2Headers decoded = roundTrip(request());

    assertEquals(request(), decoded);
    assertEquals(decoded, request());
  }

  private static List<String> strings(List<? extends CharSequence> values) {
    List<String> out = new ArrayList<>();
    for (CharSequence v : values) {
      out.add(v.toString());
    }
    return out;
  }
}
