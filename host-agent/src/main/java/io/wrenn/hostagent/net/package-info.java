/** Sandbox networking: address slots, one namespace per sandbox with a veth and a tap, nftables. */
package io.wrenn.hostagent.net;
