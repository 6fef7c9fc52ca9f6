/** What the host sets for the whole sandbox ({@code POST /init}, {@code GET /envs}), the guest clock, and {@code GET /metrics}. */
package io.wrenn.envd.init;
