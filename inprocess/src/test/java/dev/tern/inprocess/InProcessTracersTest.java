package dev.tern.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.CallOptions;
import dev.tern.ClientStreamTracer;
import dev.tern.MethodDescriptor;
import dev.tern.ServerStreamTracer;
import dev.tern.Status;
import dev.tern.stub.ClientCalls;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Client and server tracers observe in-process calls as they would calls over HTTP/2. */
class InProcessTracersTest {
  private final InProcessFixture fixture = new InProcessFixture();
  private final String name = InProcessFixture.uniqueName();

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  @Test
  void tracersSeeEachMessageWithItsSizeAndTheEnd() throws Exception {
    List<String> client = new CopyOnWriteArrayList<>();
    List<String> server = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> serverClosed = new CompletableFuture<>();
    fixture.server(name, b -> b.addService(InProcessCallsTest.strings().build())
        .addStreamTracerFactory((method, headers) -> new ServerStreamTracer() {
          @Override
          public void serverCallStarted(MethodDescriptor<?, ?> m, dev.tern.Attributes a) {
            server.add("started " + m.getBareMethodName());
          }

          @Override
          public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
            server.add("in " + seqNo + " " + wireSize);
          }

          @Override
          public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
            server.add("out " + seqNo + " " + wireSize);
          }

          @Override
          public void streamClosed(Status status) {
            serverClosed.complete(status);
          }
        }));
    InProcessChannel channel = fixture.channel(name, b -> b.addStreamTracerFactory(
        (info, headers) -> new ClientStreamTracer() {
          @Override
          public void outboundMessage(int seqNo, long wireSize, long uncompressedSize) {
            client.add("out " + seqNo + " " + wireSize);
          }

          @Override
          public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
            client.add("in " + seqNo + " " + wireSize);
          }

          @Override
          public void streamClosed(Status status) {
            client.add("closed " + status.getCode());
          }
        }));
    ClientCalls.blockingUnaryCall(channel, Strings.UNARY, CallOptions.DEFAULT, "four");
    assertEquals(Status.Code.OK, serverClosed.get(30, TimeUnit.SECONDS).getCode());
    assertEquals(List.of("started Unary", "in 0 4", "out 0 5"), server);
    assertEquals(List.of("out 0 4", "in 0 5", "closed OK"), client);
  }
}
