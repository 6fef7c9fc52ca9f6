/** API keys: their form, their storage as hashes, request authentication and the first key. */
package io.wrenn.controlplane.auth;
