package dev.tern.examples;

import com.google.protobuf.StringValue;
import dev.tern.Status;
import dev.tern.StreamObserver;

/** The Greeter's business logic. Stateless and thread-safe. */
public class GreeterService {
  /** Answers "Hello, NAME!"; an empty name is INVALID_ARGUMENT. */
  public void sayHello(StringValue request, StreamObserver<StringValue> responses) {
    String name = request.getValue();
    if (name.isEmpty()) {
      // The description travels percent-encoded (grpc-message); any text survives the trip.
      responses.onError(Status.INVALID_ARGUMENT
          .withDescription("name must not be empty (100% of greetings need one ✓)")
          .asRuntimeException());
      return;
    }
    responses.onNext(StringValue.of("Hello, " + name + "!"));
    responses.onCompleted();
  }
}
