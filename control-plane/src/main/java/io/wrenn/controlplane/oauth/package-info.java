/** Login through an OAuth 2 provider (authorization code + PKCE, GitHub-style user and email endpoints). */
package io.wrenn.controlplane.oauth;
