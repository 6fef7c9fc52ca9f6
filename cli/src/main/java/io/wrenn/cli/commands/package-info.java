/**
 * The client verbs of {@code wrenn} ({@code login}, {@code sandbox …}, {@code template …},
 * {@code keys …}, {@code completion}): each a picocli command over the Java SDK, reading
 * {@code WRENN_URL} and {@code WRENN_API_KEY} like the SDK, else the config {@code login} wrote.
 */
package io.wrenn.cli.commands;
