/** A small JSON reader and writer with proto3 JSON conventions for reading messages. */
package io.wrenn.envd.json;
