/**
 * Spring Boot auto-configuration for Tern: the server, channels, health and metrics (see
 * docs/spring-boot.md).
 */
package dev.tern.spring;
