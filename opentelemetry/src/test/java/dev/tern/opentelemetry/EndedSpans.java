package dev.tern.opentelemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.concurrent.CountDownLatch;

/** A span processor that counts ended spans down a latch, so tests wait on a signal. */
final class EndedSpans implements SpanProcessor {
  private final CountDownLatch latch;

  EndedSpans(CountDownLatch latch) {
    this.latch = latch;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    latch.countDown();
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }
}
