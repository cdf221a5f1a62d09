package dev.tern.conformance;

import dev.tern.Context;
import dev.tern.Status;
import dev.tern.StatusException;
import dev.tern.conformance.echo.EchoReply;
import dev.tern.conformance.echo.EchoRequest;
import dev.tern.conformance.echo.EchoServiceTern;
import dev.tern.stub.MessageSink;
import dev.tern.stub.MessageSource;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code EchoService} of echo.proto a third time, as plain blocking code on the generated
 * {@code EchoServiceTern.BlockingService}, with the behaviour echo.proto documents (the stall
 * flag aside). Counts the calls it served on platform threads, so that a test can check every
 * call ran on a virtual thread. Thread-safe.
 */
final class BlockingEcho implements EchoServiceTern.BlockingService {
  /** Calls whose method ran on a platform thread (0 with useVirtualThreads()). */
  final AtomicInteger platformThreadCalls = new AtomicInteger();
  /** Calls served. */
  final AtomicInteger calls = new AtomicInteger();

  /** {@code Thread.isVirtual()}, a JDK 21 method: looked up, as this code compiles for 17. */
  static boolean onVirtualThread() {
    try {
      Method isVirtual = Thread.class.getMethod("isVirtual");
      return (Boolean) isVirtual.invoke(Thread.currentThread());
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  private boolean enter() {
    calls.incrementAndGet();
    if (!onVirtualThread()) {
      platformThreadCalls.incrementAndGet();
    }
    return Context.current().getDeadline() != null;
  }

  private static StatusException fail(EchoRequest request) {
    return Status.fromCodeValue(request.getFailWith())
        .withDescription(EchoServers.failure(request)).asException();
  }

  @Override
  public EchoReply echo(EchoRequest request) throws StatusException {
    boolean deadline = enter();
    if (request.getFailWith() != 0) {
      throw fail(request);
    }
    return EchoServers.reply(request, 0, deadline);
  }

  @Override
  public void expand(EchoRequest request, MessageSink<EchoReply> responses)
      throws StatusException {
    boolean deadline = enter();
    for (int i = 0; i < request.getCount(); i++) {
      responses.send(EchoServers.reply(request, i, deadline));
    }
    if (request.getFailWith() != 0) {
      throw fail(request);
    }
  }

  @Override
  public EchoReply collect(MessageSource<EchoRequest> requests) throws StatusException {
    boolean deadline = enter();
    List<EchoRequest> received = new ArrayList<>();
    for (EchoRequest r; (r = requests.next()) != null; ) {
      if (r.getFailWith() != 0) {
        throw fail(r);
      }
      received.add(r);
    }
    return EchoReply.newBuilder().setText(EchoServers.joined(received))
        .setIndex(received.size()).setHadDeadline(deadline).build();
  }

  @Override
  public void converse(MessageSource<EchoRequest> requests, MessageSink<EchoReply> responses)
      throws StatusException {
    boolean deadline = enter();
    int index = 0;
    for (EchoRequest r; (r = requests.next()) != null; ) {
      if (r.getFailWith() != 0) {
        throw fail(r);
      }
      responses.send(EchoServers.reply(r, index++, deadline));
    }
  }
}
