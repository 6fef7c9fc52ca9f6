/** The seam to the operating system: external programs run through one logged, checked wrapper. */
package io.wrenn.hostagent.os;
