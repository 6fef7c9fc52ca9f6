/** envd, the agent inside every sandbox VM: E2B's envd protocol on port 49983, JDK only. Entry point {@link io.wrenn.envd.Envd}. */
package io.wrenn.envd;
