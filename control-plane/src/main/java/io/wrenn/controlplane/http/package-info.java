/** The HTTP edge: request parsing, error bodies, route bookkeeping and the documentation routes. */
package io.wrenn.controlplane.http;
