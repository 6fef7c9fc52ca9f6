/** The Connect protocol over HTTP/1.1 with the JSON codec: unary calls, server streams in envelopes, error codes. */
package io.wrenn.envd.connect;
