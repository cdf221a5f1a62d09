package dev.tern.netty.internal;

import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * Netty's HPACK header-block decoder, unchanged, filling {@link InboundHeaders} instead of
 * {@link io.netty.handler.codec.http2.DefaultHttp2Headers}: every request on a server and every
 * response and trailer block on a client is decoded into one flat array (see InboundHeaders for
 * what that saves per call). Limits and validation are Netty's.
 *
 * <p>Thread rule: one per connection, on its event loop (as Netty's).
 */
final class InboundHeadersDecoder extends DefaultHttp2HeadersDecoder {
  /** {@code maxHeaderListSize}: SETTINGS_MAX_HEADER_LIST_SIZE as announced (RFC 9113 §6.5.2). */
  InboundHeadersDecoder(boolean validateHeaders, long maxHeaderListSize) {
    // -1: Netty's default initial capacity for Huffman decoding, as its builder passes.
    super(validateHeaders, maxHeaderListSize, -1);
  }

  @Override
  protected Http2Headers newHeaders() {
    return new InboundHeaders(validateHeaders(), numberOfHeadersGuess());
  }
}
