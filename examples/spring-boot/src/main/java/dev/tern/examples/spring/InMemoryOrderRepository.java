package dev.tern.examples.spring;

import dev.tern.examples.spring.v1.Order;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Repository;

/** A fixed set of orders, standing in for a database. Immutable, so thread-safe. */
@Repository
public class InMemoryOrderRepository implements OrderRepository {
  private final Map<String, Order> orders = Map.of(
      "A-1001", order("A-1001", "espresso beans, 1 kg", 2),
      "A-1002", order("A-1002", "burr grinder", 1));

  @Override
  public Optional<Order> find(String id) {
    return Optional.ofNullable(orders.get(id));
  }

  private static Order order(String id, String item, int quantity) {
    return Order.newBuilder().setId(id).setItem(item).setQuantity(quantity).build();
  }
}
