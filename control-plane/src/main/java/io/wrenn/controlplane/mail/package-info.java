/**
 * Mail the control plane sends to people (address verification, sign-up notices) through the
 * operator's SMTP server ({@code WRENN_SMTP_URL}), off the request threads, with bounded
 * timeouts, and never more than a few per recipient an hour.
 */
package io.wrenn.controlplane.mail;
