package dev.tern;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The forwarding classes must forward every overridable method, including ones added later. */
class ForwardingTest {
  private static void assertForwardsEverything(Class<?> base, Class<?> forwarding) {
    List<String> missing = new ArrayList<>();
    for (Class<?> c = base; c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        int mod = m.getModifiers();
        if (Modifier.isStatic(mod) || Modifier.isFinal(mod) || Modifier.isPrivate(mod)
            || m.isSynthetic()) {
          continue;
        }
        try {
          forwarding.getDeclaredMethod(m.getName(), m.getParameterTypes());
        } catch (NoSuchMethodException e) {
          missing.add(m.toString());
        }
      }
    }
    assertTrue(missing.isEmpty(), forwarding.getSimpleName() + " does not forward " + missing);
  }

  @Test
  void forwardingClientCallForwardsEveryMethod() {
    assertForwardsEverything(ClientCall.class, ForwardingClientCall.class);
  }

  @Test
  void forwardingClientCallListenerForwardsEveryCallback() {
    assertForwardsEverything(ClientCall.Listener.class, ForwardingClientCallListener.class);
  }

  @Test
  void forwardingServerCallForwardsEveryMethod() {
    assertForwardsEverything(ServerCall.class, ForwardingServerCall.class);
  }

  @Test
  void forwardingServerCallListenerForwardsEveryCallback() {
    assertForwardsEverything(ServerCall.Listener.class, ForwardingServerCallListener.class);
  }
}
