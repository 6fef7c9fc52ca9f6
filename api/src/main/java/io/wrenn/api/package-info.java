/**
 * The public REST contract of Wrenn: {@code openapi.yaml} (a classpath resource next to this
 * package) and the error codes it documents.
 */
package io.wrenn.api;
