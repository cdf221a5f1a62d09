package dev.tern.conformance;

import dev.tern.Status;
import dev.tern.conformance.echo.EchoReply;
import dev.tern.conformance.echo.EchoRequest;
import dev.tern.conformance.echo.EchoServiceGrpc;
import dev.tern.conformance.echo.EchoServiceTern;
import dev.tern.stub.CloseableIterator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of echo.proto's {@code EchoService} through one stack's generated stubs: Tern's
 * ({@code EchoServiceTern}) or grpc-java's ({@code EchoServiceGrpc}). Each method makes one call
 * and reports it as an {@link Outcome}, so tests read the same for both stacks. Calls made with a
 * deadline use {@link #DEADLINE_SECONDS} unless they say otherwise.
 */
interface EchoClient {
  long DEADLINE_SECONDS = 20;

  /** How a call went: the replies received, then the status code and description. */
  record Outcome(List<EchoReply> replies, Status.Code code, String description) {
    static Outcome ok(List<EchoReply> replies) {
      return new Outcome(replies, Status.Code.OK, null);
    }

    List<String> texts() {
      List<String> texts = new ArrayList<>();
      for (EchoReply r : replies) {
        texts.add(r.getText());
      }
      return texts;
    }
  }

  /** Unary on the blocking stub, with a deadline {@code deadlineMillis} from now. */
  Outcome echoBlocking(EchoRequest request, long deadlineMillis) throws Exception;

  /** Unary on the future stub, without a deadline. */
  Outcome echoFuture(EchoRequest request) throws Exception;

  /** Server streaming on the blocking stub (the iterator), read to the end. */
  Outcome expandBlocking(EchoRequest request) throws Exception;

  /** Server streaming on the async stub. */
  Outcome expandAsync(EchoRequest request) throws Exception;

  /** Client streaming on the async stub: sends every request, then half-closes. */
  Outcome collect(List<EchoRequest> requests) throws Exception;

  /**
   * Bidi streaming on the async stub, in lock step: sends a request and waits for its reply
   * before sending the next, so the server must answer while the client is still sending.
   * Half-closes after the last, or stops at the first error.
   */
  Outcome converse(List<EchoRequest> requests) throws Exception;

  /** The method neither server implements, on the blocking stub. */
  Outcome missing(EchoRequest request) throws Exception;

  /** Replies and the end of an async call, handed to the test thread. Thread-safe. */
  final class Recorder {
    final BlockingQueue<EchoReply> replies = new LinkedBlockingQueue<>();
    final CompletableFuture<Outcome> end = new CompletableFuture<>();
    private final List<EchoReply> all = new ArrayList<>();

    synchronized void next(EchoReply reply) {
      all.add(reply);
      replies.add(reply);
    }

    synchronized void close(Status.Code code, String description) {
      end.complete(new Outcome(List.copyOf(all), code, description));
    }

    /** The next reply, or null if the call ended first; fails after the deadline. */
    EchoReply awaitReply() throws Exception {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
      while (System.nanoTime() < until) {
        EchoReply r = replies.poll(10, TimeUnit.MILLISECONDS);
        if (r != null) {
          return r;
        }
        if (end.isDone()) {
          return replies.poll();
        }
      }
      throw new AssertionError("no reply and no end within " + DEADLINE_SECONDS + " s");
    }

    Outcome awaitEnd() throws Exception {
      return end.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** The client on Tern's generated stubs. */
  static EchoClient tern(dev.tern.Channel channel) {
    return new EchoClient() {
      private Outcome failed(dev.tern.StatusRuntimeException e, List<EchoReply> replies) {
        return new Outcome(replies, e.getStatus().getCode(), e.getStatus().getDescription());
      }

      private dev.tern.stub.StreamObserver<EchoReply> observer(Recorder recorder) {
        return new dev.tern.stub.StreamObserver<>() {
          @Override
          public void onNext(EchoReply value) {
            recorder.next(value);
          }

          @Override
          public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            recorder.close(status.getCode(), status.getDescription());
          }

          @Override
          public void onCompleted() {
            recorder.close(Status.Code.OK, null);
          }
        };
      }

      private EchoServiceTern.EchoServiceStub async() {
        return EchoServiceTern.newStub(channel).withDeadlineAfter(DEADLINE_SECONDS,
            TimeUnit.SECONDS);
      }

      @Override
      public Outcome echoBlocking(EchoRequest request, long deadlineMillis) {
        try {
          return Outcome.ok(List.of(EchoServiceTern.newBlockingStub(channel)
              .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).echo(request)));
        } catch (dev.tern.StatusRuntimeException e) {
          return failed(e, List.of());
        }
      }

      @Override
      public Outcome echoFuture(EchoRequest request) throws Exception {
        CompletableFuture<EchoReply> future = EchoServiceTern.newFutureStub(channel).echo(request);
        try {
          return Outcome.ok(List.of(future.get(DEADLINE_SECONDS, TimeUnit.SECONDS)));
        } catch (ExecutionException e) {
          return failed((dev.tern.StatusRuntimeException) e.getCause(), List.of());
        }
      }

      @Override
      public Outcome expandBlocking(EchoRequest request) {
        List<EchoReply> replies = new ArrayList<>();
        try (CloseableIterator<EchoReply> it = EchoServiceTern.newBlockingStub(channel)
            .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).expand(request)) {
          while (it.hasNext()) {
            replies.add(it.next());
          }
          return Outcome.ok(replies);
        } catch (dev.tern.StatusRuntimeException e) {
          return failed(e, replies);
        }
      }

      @Override
      public Outcome expandAsync(EchoRequest request) throws Exception {
        Recorder recorder = new Recorder();
        async().expand(request, observer(recorder));
        return recorder.awaitEnd();
      }

      @Override
      public Outcome collect(List<EchoRequest> requests) throws Exception {
        Recorder recorder = new Recorder();
        dev.tern.stub.StreamObserver<EchoRequest> out = async().collect(observer(recorder));
        for (EchoRequest r : requests) {
          out.onNext(r);
        }
        out.onCompleted();
        return recorder.awaitEnd();
      }

      @Override
      public Outcome converse(List<EchoRequest> requests) throws Exception {
        Recorder recorder = new Recorder();
        dev.tern.stub.StreamObserver<EchoRequest> out = async().converse(observer(recorder));
        for (EchoRequest r : requests) {
          out.onNext(r);
          if (recorder.awaitReply() == null) {
            return recorder.awaitEnd();
          }
        }
        out.onCompleted();
        return recorder.awaitEnd();
      }

      @Override
      public Outcome missing(EchoRequest request) {
        try {
          return Outcome.ok(List.of(EchoServiceTern.newBlockingStub(channel).missing(request)));
        } catch (dev.tern.StatusRuntimeException e) {
          return failed(e, List.of());
        }
      }
    };
  }

  /** The client on grpc-java's generated stubs. */
  static EchoClient grpc(io.grpc.Channel channel) {
    return new EchoClient() {
      private Outcome failed(io.grpc.StatusRuntimeException e, List<EchoReply> replies) {
        return new Outcome(replies, Status.Code.fromValue(e.getStatus().getCode().value()),
            e.getStatus().getDescription());
      }

      private io.grpc.stub.StreamObserver<EchoReply> observer(Recorder recorder) {
        return new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(EchoReply value) {
            recorder.next(value);
          }

          @Override
          public void onError(Throwable t) {
            io.grpc.Status status = io.grpc.Status.fromThrowable(t);
            recorder.close(Status.Code.fromValue(status.getCode().value()),
                status.getDescription());
          }

          @Override
          public void onCompleted() {
            recorder.close(Status.Code.OK, null);
          }
        };
      }

      private EchoServiceGrpc.EchoServiceStub async() {
        return EchoServiceGrpc.newStub(channel).withDeadlineAfter(DEADLINE_SECONDS,
            TimeUnit.SECONDS);
      }

      @Override
      public Outcome echoBlocking(EchoRequest request, long deadlineMillis) {
        try {
          return Outcome.ok(List.of(EchoServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).echo(request)));
        } catch (io.grpc.StatusRuntimeException e) {
          return failed(e, List.of());
        }
      }

      @Override
      public Outcome echoFuture(EchoRequest request) throws Exception {
        com.google.common.util.concurrent.ListenableFuture<EchoReply> future =
            EchoServiceGrpc.newFutureStub(channel).echo(request);
        try {
          return Outcome.ok(List.of(future.get(DEADLINE_SECONDS, TimeUnit.SECONDS)));
        } catch (ExecutionException e) {
          return failed((io.grpc.StatusRuntimeException) e.getCause(), List.of());
        }
      }

      @Override
      public Outcome expandBlocking(EchoRequest request) {
        List<EchoReply> replies = new ArrayList<>();
        try {
          Iterator<EchoReply> it = EchoServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).expand(request);
          while (it.hasNext()) {
            replies.add(it.next());
          }
          return Outcome.ok(replies);
        } catch (io.grpc.StatusRuntimeException e) {
          return failed(e, replies);
        }
      }

      @Override
      public Outcome expandAsync(EchoRequest request) throws Exception {
        Recorder recorder = new Recorder();
        async().expand(request, observer(recorder));
        return recorder.awaitEnd();
      }

      @Override
      public Outcome collect(List<EchoRequest> requests) throws Exception {
        Recorder recorder = new Recorder();
        io.grpc.stub.StreamObserver<EchoRequest> out = async().collect(observer(recorder));
        for (EchoRequest r : requests) {
          out.onNext(r);
        }
        out.onCompleted();
        return recorder.awaitEnd();
      }

      @Override
      public Outcome converse(List<EchoRequest> requests) throws Exception {
        Recorder recorder = new Recorder();
        io.grpc.stub.StreamObserver<EchoRequest> out = async().converse(observer(recorder));
        for (EchoRequest r : requests) {
          out.onNext(r);
          if (recorder.awaitReply() == null) {
            return recorder.awaitEnd();
          }
        }
        out.onCompleted();
        return recorder.awaitEnd();
      }

      @Override
      public Outcome missing(EchoRequest request) {
        try {
          return Outcome.ok(List.of(EchoServiceGrpc.newBlockingStub(channel).missing(request)));
        } catch (io.grpc.StatusRuntimeException e) {
          return failed(e, List.of());
        }
      }
    };
  }
}
