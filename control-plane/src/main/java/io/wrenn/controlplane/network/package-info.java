/** Sandbox networking as the API sees it: the egress policy and inbound access of each sandbox. */
package io.wrenn.controlplane.network;
