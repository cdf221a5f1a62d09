package dev.tern.webtests;

import java.util.concurrent.Callable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server shared by one test class: started before its first test, closed after its last.
 * Register it as a static {@code @RegisterExtension} field. JUnit calls it from the class's one
 * lifecycle thread; its tests read {@link #get} after the start.
 */
final class ClassFixture<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {
  private final Callable<T> start;
  private volatile T value;

  ClassFixture(Callable<T> start) {
    this.start = start;
  }

  T get() {
    return value;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    value = start.call();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (value != null) {
      value.close();
    }
  }
}
