/** Request authentication: people's tokens, teams' API keys, the caller and its role, the first-start bootstrap. */
package io.wrenn.controlplane.auth;
