package dev.tern.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.CallOptions;
import dev.tern.ClientStreamTracer;
import dev.tern.Marshaller;
import dev.tern.Metadata;
import dev.tern.MethodDescriptor;
import dev.tern.Status;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attempt's close reaches the tracers last even when the attempt closes (event loop) before
 * the messages it read were decoded (callback executor); each interleaving played in order.
 */
class AttemptTracersTest {
  private static final Marshaller<String> STRING = new Marshaller<>() {
    @Override
    public void write(String value, ByteBuf out) {
      out.writeCharSequence(value, StandardCharsets.UTF_8);
    }

    @Override
    public String parse(ByteBuf in) {
      return in.toString(StandardCharsets.UTF_8);
    }
  };

  private static final MethodDescriptor<String, String> METHOD =
      MethodDescriptor.newBuilder(STRING, STRING)
          .setFullMethodName("tern.test.T/Get")
          .setType(MethodDescriptor.MethodType.UNARY)
          .build();

  private final List<String> events = new ArrayList<>();

  private AttemptTracers tracers() {
    ClientStreamTracer.Factory factory = (info, headers) -> new ClientStreamTracer() {
      @Override
      public void inboundMessage(int seqNo, long wireSize, long uncompressedSize) {
        events.add("in " + seqNo);
      }

      @Override
      public void streamClosed(Status status) {
        events.add("closed " + status.getCode());
      }
    };
    return AttemptTracers.create(List.of(factory), new ClientStreamTracer.AttemptInfo(METHOD,
        CallOptions.DEFAULT, "a", 0, false), new Metadata());
  }

  @Test
  void closeAfterTheMessagesWereReportedGoesStraightThrough() {
    AttemptTracers t = tracers();
    t.messageRead();
    t.inboundMessage(0, 10, 20);
    t.streamClosed(Status.OK);
    assertEquals(List.of("in 0", "closed OK"), events);
  }

  @Test
  void closeBeforeTheLastMessageIsDecodedWaitsForIt() {
    AttemptTracers t = tracers();
    t.messageRead();
    t.messageRead();
    t.inboundMessage(0, 10, 20);
    t.streamClosed(Status.OK); // trailers on the event loop; message 1 still being decoded
    assertEquals(List.of("in 0"), events);
    t.inboundMessage(1, 10, 20);
    assertEquals(List.of("in 0", "in 1", "closed OK"), events);
  }

  @Test
  void aDroppedMessageReleasesTheCloseAndTheCloseIsReportedOnce() {
    AttemptTracers t = tracers();
    t.messageRead();
    t.streamClosed(Status.CANCELLED);
    t.streamClosed(Status.INTERNAL);
    assertEquals(List.of(), events);
    t.messageDropped(); // the call was cancelled: the message never reaches the application
    t.streamClosed(Status.OK);
    assertEquals(List.of("closed CANCELLED"), events);
  }

  @Test
  void withoutFactoriesNothingIsCounted() {
    AttemptTracers none = AttemptTracers.create(List.of(), new ClientStreamTracer.AttemptInfo(
        METHOD, CallOptions.DEFAULT, "a", 0, false), new Metadata());
    none.messageRead();
    none.messageDropped();
    none.streamClosed(Status.OK);
    assertEquals(AttemptTracers.NONE, none);
  }
}
