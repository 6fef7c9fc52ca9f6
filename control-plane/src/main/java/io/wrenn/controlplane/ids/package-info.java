/** Public identifiers: prefixed base-36 strings on the wire, UUIDs everywhere else. */
package io.wrenn.controlplane.ids;
