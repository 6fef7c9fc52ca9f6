/** The gRPC service (hostagent.proto): authentication, message translation, streaming with back-pressure. */
package io.wrenn.hostagent.rpc;
