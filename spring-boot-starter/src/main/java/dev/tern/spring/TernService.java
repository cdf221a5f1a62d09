package dev.tern.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.stereotype.Component;

/**
 * Marks a service implementation (a class extending a generated {@code FooImplBase}, or any
 * class with a public no-argument {@code bindService()} returning a
 * {@link dev.tern.ServerServiceDefinition}) to be served by the auto-configured
 * {@link dev.tern.netty.TernServer}. A component: component scanning registers it as a bean.
 * On a {@code @Bean} method it marks the bean that method returns. Beans of type
 * {@code ServerServiceDefinition} are served too, without the annotation.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
public @interface TernService {}
