package dev.tern.examples;

import dev.tern.Metadata;
import dev.tern.Status;
import dev.tern.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * The Greeter service: extends the base class tern-codegen generated from greeter.proto and
 * overrides one method per call type (a method left out answers UNIMPLEMENTED). Stateless and
 * thread-safe: each call gets its own observers, and a call's callbacks never overlap.
 */
public final class GreeterService extends GreeterTern.GreeterImplBase {
  /** A trailer naming the request field that was wrong, sent with INVALID_ARGUMENT. */
  public static final Metadata.Key<String> BAD_FIELD = Metadata.Key.ascii("x-bad-field");

  /** Unary: answers "Hello, NAME!"; an empty name fails the call with INVALID_ARGUMENT. */
  @Override
  public void sayHello(HelloRequest request, StreamObserver<HelloReply> responseObserver) {
    if (request.getName().isEmpty()) {
      // A failure is a status (code + description) plus optional trailers. The description
      // travels percent-encoded (grpc-message), so any text survives the trip.
      Metadata trailers = new Metadata();
      trailers.put(BAD_FIELD, "name");
      responseObserver.onError(Status.INVALID_ARGUMENT
          .withDescription("name must not be empty (100% of greetings need one ✓)")
          .asRuntimeException(trailers));
      return;
    }
    responseObserver.onNext(reply("Hello, " + request.getName() + "!"));
    responseObserver.onCompleted();
  }

  /** Server streaming: {@code times} replies, then the end of the stream. */
  @Override
  public void sayHelloManyTimes(HelloRequest request,
      StreamObserver<HelloReply> responseObserver) {
    for (int i = 1; i <= request.getTimes(); i++) {
      responseObserver.onNext(reply("Hello #" + i + ", " + request.getName() + "!"));
    }
    responseObserver.onCompleted();
  }

  /** Client streaming: collects the names, answers once the client ends its stream. */
  @Override
  public StreamObserver<HelloRequest> greetEveryone(StreamObserver<HelloReply> responseObserver) {
    List<String> names = new ArrayList<>();
    return new StreamObserver<>() {
      @Override
      public void onNext(HelloRequest request) {
        names.add(request.getName());
      }

      @Override
      public void onError(Throwable t) {
        // The client cancelled or its deadline passed: the call is over, nothing to answer.
      }

      @Override
      public void onCompleted() {
        responseObserver.onNext(reply("Hello, " + String.join(", ", names) + "!"));
        responseObserver.onCompleted();
      }
    };
  }

  /** Bidirectional streaming: answers each name as it arrives. */
  @Override
  public StreamObserver<HelloRequest> chat(StreamObserver<HelloReply> responseObserver) {
    return new StreamObserver<>() {
      private int count;

      @Override
      public void onNext(HelloRequest request) {
        count++;
        responseObserver.onNext(reply("Hello, " + request.getName() + "! You are number "
            + count + " in this chat."));
      }

      @Override
      public void onError(Throwable t) {
        // The client cancelled: nothing more to send.
      }

      @Override
      public void onCompleted() {
        responseObserver.onCompleted();
      }
    };
  }

  private static HelloReply reply(String message) {
    return HelloReply.newBuilder().setMessage(message).build();
  }
}
