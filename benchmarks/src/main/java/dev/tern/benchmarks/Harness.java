package dev.tern.benchmarks;

import io.grpc.benchmarks.proto.Messages.SimpleRequest;
import java.util.concurrent.atomic.LongAdder;

/**
 * One implementation under test: a server and a client connected over 127.0.0.1, exposing the
 * operations the scenarios need. The same scenario code drives Tern, grpc-java and the raw
 * HTTP/2 echo. Thread-safe.
 */
// close() throws Exception, AutoCloseable's own signature: it waits for event loops to stop.
@SuppressWarnings("try")
public abstract class Harness implements AutoCloseable {
  /** Which stack serves and calls. */
  public enum Impl {
    TERN, GRPC, RAW
  }

  /** Completion callback of an asynchronous call; must be cheap and non-blocking. */
  public interface Done {
    void done(boolean ok);
  }

  /** A long-lived call sending one request per round trip and waiting for the response. */
  public interface PingPong extends AutoCloseable {
    void roundTrip() throws InterruptedException;

    @Override
    void close();
  }

  /** Builds a started harness. {@code direct}: callbacks run on the event loops on both sides. */
  public static Harness create(Impl impl, boolean direct) throws Exception {
    switch (impl) {
      case TERN:
        return new TernHarness(direct);
      case GRPC:
        return new GrpcHarness(direct);
      case RAW:
        return new RawHarness();
      default:
        throw new IllegalArgumentException(impl.toString());
    }
  }

  /** One unary call with 1 in flight, waiting for its response on the calling thread. */
  public abstract void unaryBlocking(SimpleRequest request);

  /** Starts one unary call; {@code done} runs when it completes. */
  public abstract void unaryAsync(SimpleRequest request, Done done);

  /**
   * Starts a StreamingFromServer call whose responses are counted in {@code received}; closing
   * the returned handle cancels it.
   */
  public abstract AutoCloseable serverStream(SimpleRequest request, LongAdder received);

  /** Starts a StreamingCall (one response per request) for ping-pong round trips. */
  public abstract PingPong pingPong(SimpleRequest request);

  @Override
  public abstract void close() throws Exception;
}
