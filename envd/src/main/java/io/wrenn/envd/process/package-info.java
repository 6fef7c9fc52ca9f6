/** {@code process.Process}: starting processes (as a user, in a session of their own, optionally on a pty), their output window, signals and input. */
package io.wrenn.envd.process;
