package dev.tern.conformance;

import dev.tern.conformance.echo.EchoReply;
import dev.tern.conformance.echo.EchoRequest;
import dev.tern.conformance.echo.EchoServiceGrpc;
import dev.tern.conformance.echo.EchoServiceTern;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code EchoService} of echo.proto implemented twice, on the generated base classes of each
 * stack (tern-codegen's {@code EchoServiceTern.EchoServiceImplBase}, protoc-gen-grpc-java's
 * {@code EchoServiceGrpc.EchoServiceImplBase}), with the same behaviour: the one documented in
 * echo.proto. Neither implements {@code Missing}. Thread-safe.
 */
final class EchoServers {
  /** Counted down when the handler of a stalled call (request.stall) runs. */
  final CountDownLatch stallStarted = new CountDownLatch(1);
  /** Counted down when a stalled call is cancelled, e.g. by its deadline. */
  final CountDownLatch stallCancelled = new CountDownLatch(1);

  static String failure(EchoRequest request) {
    return "failing as asked: " + request.getText();
  }

  static EchoReply reply(EchoRequest request, int index, boolean hadDeadline) {
    return EchoReply.newBuilder().setText(request.getText()).setIndex(index)
        .setPayload(request.getPayload()).setHadDeadline(hadDeadline).build();
  }

  static String joined(List<EchoRequest> requests) {
    List<String> texts = new ArrayList<>();
    for (EchoRequest r : requests) {
      texts.add(r.getText());
    }
    return String.join(",", texts);
  }

  /** The service on Tern's generated base class. */
  EchoServiceTern.EchoServiceImplBase tern() {
    return new EchoServiceTern.EchoServiceImplBase() {
      private boolean hadDeadline() {
        return dev.tern.Context.current().getDeadline() != null;
      }

      private dev.tern.StatusRuntimeException fail(EchoRequest request) {
        return dev.tern.Status.fromCodeValue(request.getFailWith())
            .withDescription(failure(request)).asRuntimeException();
      }

      @Override
      public void echo(EchoRequest request, dev.tern.stub.StreamObserver<EchoReply> responses) {
        if (request.getStall()) {
          ((dev.tern.stub.ServerCallStreamObserver<EchoReply>) responses)
              .setOnCancelHandler(stallCancelled::countDown);
          stallStarted.countDown();
          return;
        }
        if (request.getFailWith() != 0) {
          responses.onError(fail(request));
          return;
        }
        responses.onNext(reply(request, 0, hadDeadline()));
        responses.onCompleted();
      }

      @Override
      public void expand(EchoRequest request, dev.tern.stub.StreamObserver<EchoReply> responses) {
        boolean deadline = hadDeadline();
        for (int i = 0; i < request.getCount(); i++) {
          responses.onNext(reply(request, i, deadline));
        }
        if (request.getFailWith() != 0) {
          responses.onError(fail(request));
        } else {
          responses.onCompleted();
        }
      }

      @Override
      public dev.tern.stub.StreamObserver<EchoRequest> collect(
          dev.tern.stub.StreamObserver<EchoReply> responses) {
        boolean deadline = hadDeadline();
        List<EchoRequest> received = new ArrayList<>();
        return new dev.tern.stub.StreamObserver<>() {
          private boolean failed;

          @Override
          public void onNext(EchoRequest request) {
            if (failed) {
              return;
            }
            if (request.getFailWith() != 0) {
              failed = true;
              responses.onError(fail(request));
              return;
            }
            received.add(request);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            if (!failed) {
              responses.onNext(EchoReply.newBuilder().setText(joined(received))
                  .setIndex(received.size()).setHadDeadline(deadline).build());
              responses.onCompleted();
            }
          }
        };
      }

      @Override
      public dev.tern.stub.StreamObserver<EchoRequest> converse(
          dev.tern.stub.StreamObserver<EchoReply> responses) {
        boolean deadline = hadDeadline();
        return new dev.tern.stub.StreamObserver<>() {
          private int index;
          private boolean failed;

          @Override
          public void onNext(EchoRequest request) {
            if (failed) {
              return;
            }
            if (request.getFailWith() != 0) {
              failed = true;
              responses.onError(fail(request));
              return;
            }
            responses.onNext(reply(request, index++, deadline));
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            if (!failed) {
              responses.onCompleted();
            }
          }
        };
      }
    };
  }

  /** The same service on grpc-java's generated base class. */
  EchoServiceGrpc.EchoServiceImplBase grpc() {
    return new EchoServiceGrpc.EchoServiceImplBase() {
      private boolean hadDeadline() {
        return io.grpc.Context.current().getDeadline() != null;
      }

      private io.grpc.StatusRuntimeException fail(EchoRequest request) {
        return io.grpc.Status.fromCodeValue(request.getFailWith())
            .withDescription(failure(request)).asRuntimeException();
      }

      @Override
      public void echo(EchoRequest request, io.grpc.stub.StreamObserver<EchoReply> responses) {
        if (request.getStall()) {
          ((io.grpc.stub.ServerCallStreamObserver<EchoReply>) responses)
              .setOnCancelHandler(stallCancelled::countDown);
          stallStarted.countDown();
          return;
        }
        if (request.getFailWith() != 0) {
          responses.onError(fail(request));
          return;
        }
        responses.onNext(reply(request, 0, hadDeadline()));
        responses.onCompleted();
      }

      @Override
      public void expand(EchoRequest request, io.grpc.stub.StreamObserver<EchoReply> responses) {
        boolean deadline = hadDeadline();
        for (int i = 0; i < request.getCount(); i++) {
          responses.onNext(reply(request, i, deadline));
        }
        if (request.getFailWith() != 0) {
          responses.onError(fail(request));
        } else {
          responses.onCompleted();
        }
      }

      @Override
      public io.grpc.stub.StreamObserver<EchoRequest> collect(
          io.grpc.stub.StreamObserver<EchoReply> responses) {
        boolean deadline = hadDeadline();
        List<EchoRequest> received = new ArrayList<>();
        return new io.grpc.stub.StreamObserver<>() {
          private boolean failed;

          @Override
          public void onNext(EchoRequest request) {
            if (failed) {
              return;
            }
            if (request.getFailWith() != 0) {
              failed = true;
              responses.onError(fail(request));
              return;
            }
            received.add(request);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            if (!failed) {
              responses.onNext(EchoReply.newBuilder().setText(joined(received))
                  .setIndex(received.size()).setHadDeadline(deadline).build());
              responses.onCompleted();
            }
          }
        };
      }

      @Override
      public io.grpc.stub.StreamObserver<EchoRequest> converse(
          io.grpc.stub.StreamObserver<EchoReply> responses) {
        boolean deadline = hadDeadline();
        return new io.grpc.stub.StreamObserver<>() {
          private int index;
          private boolean failed;

          @Override
          public void onNext(EchoRequest request) {
            if (failed) {
              return;
            }
            if (request.getFailWith() != 0) {
              failed = true;
              responses.onError(fail(request));
              return;
            }
            responses.onNext(reply(request, index++, deadline));
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            if (!failed) {
              responses.onCompleted();
            }
          }
        };
      }
    };
  }
}
