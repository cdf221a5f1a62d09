package dev.tern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ContextsTest {
  private static final Context.Key<String> USER = Context.key("user");

  @Test
  void notCancelledContextHasNoStatus() {
    assertNull(Contexts.statusFromCancelled(Context.ROOT));
    try (Context.CancellableContext c = Context.ROOT.withCancellation()) {
      assertNull(Contexts.statusFromCancelled(c));
    }
  }

  @Test
  void timeoutMapsToDeadlineExceeded() {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    TimeoutException cause = new TimeoutException("too slow");
    c.cancel(cause);
    Status s = Contexts.statusFromCancelled(c.withValue(USER, "u"));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode());
    assertEquals("too slow", s.getDescription());
    assertSame(cause, s.getCause());
  }

  @Test
  void timeoutWithoutMessageStillGetsADescription() {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    c.cancel(new TimeoutException());
    assertEquals("context deadline exceeded",
        Contexts.statusFromCancelled(c).getDescription());
  }

  @Test
  void statusExceptionsMapToTheirStatus() {
    Status denied = Status.PERMISSION_DENIED.withDescription("no");
    Context.CancellableContext checked = Context.ROOT.withCancellation();
    checked.cancel(denied.asException());
    assertSame(denied, Contexts.statusFromCancelled(checked));
    Context.CancellableContext unchecked = Context.ROOT.withCancellation();
    unchecked.cancel(denied.asRuntimeException());
    assertSame(denied, Contexts.statusFromCancelled(unchecked));
  }

  @Test
  void otherCausesMapToCancelledWithTheCause() {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    IllegalStateException cause = new IllegalStateException("shutdown");
    c.cancel(cause);
    Status s = Contexts.statusFromCancelled(c);
    assertEquals(Status.Code.CANCELLED, s.getCode());
    assertSame(cause, s.getCause());
  }

  @Test
  void cancellationWithoutCauseMapsToCancelled() {
    Context.CancellableContext c = Context.ROOT.withCancellation();
    c.close();
    Status s = Contexts.statusFromCancelled(c);
    assertEquals(Status.Code.CANCELLED, s.getCode());
    assertNull(s.getCause());
  }

  @Test
  void interceptCallAttachesTheContextForStartCallAndEveryCallback() {
    Context context = Context.ROOT.withValue(USER, "alice");
    List<String> seen = new ArrayList<>();
    ServerCallHandler<String, String> handler = (call, headers) -> {
      seen.add("start:" + USER.get());
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(String message) {
          seen.add(message + ":" + USER.get());
        }

        @Override
        public void onHalfClose() {
          seen.add("halfClose:" + USER.get());
        }

        @Override
        public void onCancel() {
          seen.add("cancel:" + USER.get());
        }

        @Override
        public void onComplete() {
          seen.add("complete:" + USER.get());
        }

        @Override
        public void onReady() {
          seen.add("ready:" + USER.get());
        }
      };
    };

    ServerCall.Listener<String> listener =
        Contexts.interceptCall(context, new NoopServerCall(), new Metadata(), handler);
    assertSame(Context.ROOT, Context.current());
    listener.onReady();
    listener.onMessage("msg");
    listener.onHalfClose();
    listener.onComplete();
    listener.onCancel();

    assertEquals(List.of("start:alice", "ready:alice", "msg:alice", "halfClose:alice",
        "complete:alice", "cancel:alice"), seen);
    assertSame(Context.ROOT, Context.current());
  }

  @Test
  void interceptCallRestoresTheCallersContextWhenACallbackThrows() {
    Context context = Context.ROOT.withValue(USER, "bob");
    ServerCall.Listener<String> listener = Contexts.interceptCall(context, new NoopServerCall(),
        new Metadata(), (call, headers) -> new ServerCall.Listener<>() {
          @Override
          public void onMessage(String message) {
            throw new IllegalStateException("handler bug");
          }
        });
    Context outer = Context.ROOT.withValue(USER, "outer");
    Context previous = outer.attach();
    try {
      try {
        listener.onMessage("x");
      } catch (IllegalStateException expected) {
        // the handler's failure reaches the caller unchanged
      }
      assertEquals("outer", USER.get());
    } finally {
      outer.detach(previous);
    }
    assertTrue(Context.current() == Context.ROOT);
  }

  private static final class NoopServerCall extends ServerCall<String, String> {
    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(String message) {}

    @Override
    public void close(Status status, Metadata trailers) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public MethodDescriptor<String, String> getMethodDescriptor() {
      return null;
    }
  }
}
