package dev.tern.examples.spring;

import dev.tern.examples.spring.v1.Order;
import java.util.Optional;

/** Where orders are kept; the services look them up here. Implementations are thread-safe. */
public interface OrderRepository {
  /** The order with that id, if there is one. May block (a database, another service). */
  Optional<Order> find(String id);
}
