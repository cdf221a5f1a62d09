package dev.tern.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.StatusRuntimeException;
import dev.tern.it.greeter.GreeterTern;
import dev.tern.it.greeter.HelloReply;
import dev.tern.it.greeter.HelloRequest;
import dev.tern.netty.TernChannel;
import dev.tern.netty.TernServer;
import dev.tern.stub.BlockingClientCall;
import dev.tern.stub.CloseableIterator;
import dev.tern.stub.MessageSink;
import dev.tern.stub.MessageSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code BlockingService} and blocking stub: all four call types written as plain
 * blocking code on both sides, over a real TernServer on 127.0.0.1.
 */
class GreeterBlockingEndToEndTest {
  private TernServer server;
  private TernChannel channel;
  private GreeterTern.GreeterBlockingStub stub;

  /** The four Greeter methods as blocking code; Unimplemented is left to its default. */
  static final class BlockingGreeter implements GreeterTern.BlockingService {
    @Override
    public HelloReply sayHello(HelloRequest request) throws StatusException {
      if (request.getFailWith() > 0) {
        throw Status.fromCodeValue(request.getFailWith()).withDescription("as asked")
            .asException();
      }
      return reply("hello " + request.getName(), 0);
    }

    @Override
    public void listGreetings(HelloRequest request, MessageSink<HelloReply> responses)
        throws StatusException {
      for (int i = 0; i < request.getTimes(); i++) {
        responses.send(reply("hello " + request.getName(), i));
      }
    }

    @Override
    public HelloReply collectNames(MessageSource<HelloRequest> requests)
        throws StatusException {
      List<String> names = new ArrayList<>();
      for (HelloRequest r; (r = requests.next()) != null; ) {
        names.add(r.getName());
      }
      return reply(String.join(",", names), names.size());
    }

    @Override
    public void chat(MessageSource<HelloRequest> requests, MessageSink<HelloReply> responses)
        throws StatusException {
      int i = 0;
      for (HelloRequest r; (r = requests.next()) != null; ) {
        responses.send(reply("hi " + r.getName(), i++));
      }
    }

    private static HelloReply reply(String message, int index) {
      return HelloReply.newBuilder().setMessage(message).setIndex(index).build();
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = TernServer.builder().port(0)
        .addService(GreeterTern.bindService(new BlockingGreeter())).build().start();
    channel = TernChannel.builder().target("127.0.0.1:" + server.port()).build();
    stub = GreeterTern.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private static HelloRequest named(String name) {
    return HelloRequest.newBuilder().setName(name).build();
  }

  @Test
  void unaryBlockingMethodReturnsItsResponse() {
    assertEquals("hello ada", stub.sayHello(named("ada")).getMessage());
  }

  @Test
  void unaryBlockingMethodThrowingStatusExceptionFailsTheCallWithIt() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> stub.sayHello(HelloRequest.newBuilder().setFailWith(9).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("as asked", e.getStatus().getDescription());
  }

  @Test
  void serverStreamingBlockingMethodSendsEveryResponse() {
    List<Integer> indexes = new ArrayList<>();
    try (CloseableIterator<HelloReply> it =
        stub.listGreetings(HelloRequest.newBuilder().setName("bo").setTimes(5).build())) {
      it.forEachRemaining(r -> indexes.add(r.getIndex()));
    }
    assertEquals(List.of(0, 1, 2, 3, 4), indexes);
  }

  @Test
  void clientStreamingThroughTheBlockingStubReturnsTheOneResponse() throws Exception {
    try (BlockingClientCall<HelloRequest, HelloReply> call = stub.collectNames()) {
      for (String name : List.of("a", "b", "c")) {
        call.write(named(name));
      }
      call.halfClose();
      HelloReply reply = call.read();
      assertEquals("a,b,c", reply.getMessage());
      assertEquals(3, reply.getIndex());
      assertNull(call.read());
    }
  }

  @Test
  void bidiThroughTheBlockingStubAnswersEachRequest() throws Exception {
    try (BlockingClientCall<HelloRequest, HelloReply> call = stub.chat()) {
      for (int i = 0; i < 10; i++) {
        call.write(named("n" + i));
        assertEquals("hi n" + i, call.read().getMessage());
      }
      call.halfClose();
      assertNull(call.read());
      assertEquals(Status.Code.OK, call.getStatus().getCode());
    }
  }

  @Test
  void methodNotOverriddenAnswersUnimplemented() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> stub.unimplemented(named("x")));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertEquals("Method not found: tern.it.greeter.Greeter/Unimplemented",
        e.getStatus().getDescription());
  }
}
