package dev.tern.netty.internal;

import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * Writes the {@link EarlyAnswer}s of one connection and remembers, per stream, that a stream was
 * answered without a call, so that its later frames are discarded (or, for an HTTP error that
 * waits for the end of the request, trigger the answer).
 *
 * <p>Not thread-safe: runs on the connection's event loop.
 */
final class EarlyAnswers {
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");

  /** A stream's early answer, and whether it still waits for the request to end. */
  private record Answered(EarlyAnswer answer, boolean waitingForRequestEnd) {}

  private final ServerHandler handler;
  private final Http2Connection.PropertyKey key;

  EarlyAnswers(ServerHandler handler, Http2Connection connection) {
    this.handler = handler;
    this.key = connection.newKey();
  }

  /**
   * Answers {@code stream}. {@code requestEnded}: the client's END_STREAM has arrived. An HTTP
   * error waits for it (see {@link #writeHttpError}); the rest go out at once.
   */
  void answer(Http2Stream stream, EarlyAnswer answer, boolean requestEnded) {
    ChannelHandlerContext ctx = handler.context();
    if (answer instanceof EarlyAnswer.Refused) {
      handler.resetStream(ctx, stream.id(), Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
    } else if (answer instanceof EarlyAnswer.TrailersOnly t) {
      stream.setProperty(key, new Answered(answer, false));
      Http2Headers headers = trailersOnly(t.status());
      if (t.acceptEncoding() != null) {
        headers.set(GrpcHeaders.GRPC_ACCEPT_ENCODING, t.acceptEncoding());
      }
      handler.writeFinalHeaders(stream, headers);
    } else if (answer instanceof EarlyAnswer.HttpError e) {
      stream.setProperty(key, new Answered(answer, !requestEnded));
      if (requestEnded) {
        writeHttpError(stream, e);
      }
    }
  }

  /**
   * A HEADERS or DATA frame arrived on {@code stream}, which has no call: returns whether it was
   * answered early (its frames are then discarded), writing a waiting answer if the request has
   * now ended.
   */
  boolean onFrame(Http2Stream stream, boolean endOfStream) {
    Answered answered = stream.getProperty(key);
    if (answered == null) {
      return false;
    }
    if (endOfStream && answered.waitingForRequestEnd()) {
      stream.setProperty(key, new Answered(answered.answer(), false));
      writeHttpError(stream, (EarlyAnswer.HttpError) answered.answer());
    }
    return true;
  }

  static Http2Headers trailersOnly(Status status) {
    Http2Headers headers = new DefaultHttp2Headers(false)
        .status(GrpcHeaders.STATUS_OK)
        .set(GrpcHeaders.CONTENT_TYPE, GrpcHeaders.CONTENT_TYPE_GRPC);
    GrpcHeaders.addStatus(status, headers);
    return headers;
  }

  /**
   * Answers a request that is not gRPC with an HTTP error whose body says why (as grpc-java does),
   * so plain HTTP/2 tools get a readable answer. The answer waits for the end of the request: no
   * gRPC client sends such a request, and an HTTP/2 peer's malformed later frames (trailers with
   * pseudo-headers, a wrong content-length) then still get the stream error RFC 9113 §8.1.1 asks
   * for instead of being dropped after an early reset.
   */
  private void writeHttpError(Http2Stream stream, EarlyAnswer.HttpError error) {
    if (stream.state() == Http2Stream.State.CLOSED) {
      return;
    }
    ChannelHandlerContext ctx = handler.context();
    Http2Headers headers = new DefaultHttp2Headers(false)
        .status(error.httpStatus())
        .set(GrpcHeaders.CONTENT_TYPE, TEXT_PLAIN);
    GrpcHeaders.addStatus(error.status(), headers);
    handler.encoder().writeHeaders(ctx, stream.id(), headers, 0, false, ctx.newPromise());
    ByteBuf body = ctx.alloc().buffer();
    body.writeCharSequence(error.status().getDescription() + "\n", StandardCharsets.UTF_8);
    handler.encoder().writeData(ctx, stream.id(), body, 0, true, ctx.newPromise());
  }
}
