package dev.tern.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.Status;
import dev.tern.StatusRuntimeException;
import dev.tern.junit.TernTestServers;
import dev.tern.stub.CloseableIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Greeter service tested as a user would test their own: in-process, through the generated
 * stubs, with tern-junit's extension starting the server and channel for each test and failing a
 * test that leaves a call open or leaks a buffer. docs/in-process.md walks through it.
 */
class GreeterServiceTest {
  // serializeMessages(true): every message goes through the protobuf marshallers, as on a wire.
  @RegisterExtension
  final TernTestServers servers = TernTestServers.inProcess().serializeMessages(true);

  private GreeterTern.GreeterBlockingStub greeter;

  @BeforeEach
  void serveGreeter() {
    servers.register(new GreeterService().bindService());
    greeter = GreeterTern.newBlockingStub(servers.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static HelloRequest hello(String name) {
    return HelloRequest.newBuilder().setName(name).build();
  }

  @Test
  void sayHelloGreetsByName() {
    assertEquals("Hello, Ada!", greeter.sayHello(hello("Ada")).getMessage());
  }

  @Test
  void sayHelloWithoutANameIsInvalidArgumentNamingTheField() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> greeter.sayHello(hello("")));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("name", e.getTrailers().get(GreeterService.BAD_FIELD));
  }

  @Test
  void sayHelloManyTimesStreamsTheAskedNumberOfReplies() {
    List<String> messages = new ArrayList<>();
    try (CloseableIterator<HelloReply> replies = greeter.sayHelloManyTimes(
        HelloRequest.newBuilder().setName("Grace").setTimes(3).build())) {
      replies.forEachRemaining(r -> messages.add(r.getMessage()));
    }
    assertEquals(List.of("Hello #1, Grace!", "Hello #2, Grace!", "Hello #3, Grace!"), messages);
  }
}
