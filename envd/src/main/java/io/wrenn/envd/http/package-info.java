/** Plain HTTP plumbing: exact-path routes, JSON replies and errors, the access-token and CORS filters. */
package io.wrenn.envd.http;
