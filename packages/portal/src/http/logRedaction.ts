const SECRET_PARAMS = /([?&](?:auth|access_token|refresh_token|code|code_verifier|password|token|session|client_secret|otp)=)[^&#]*/gi;
const WEBHOOK_PATH = /^(\/+rest\/+\d+\/+)[^/?#]+/i;

/** A URL fit for logs: webhook secrets and credential parameters replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(WEBHOOK_PATH, '$1***').replace(SECRET_PARAMS, '$1***');
}
