/** Parameter names that carry a credential (a Pull channel id or JWT is one too), matched after decoding (`%61uth` is `auth`), PHP-style keys included. */
const SECRET_NAME =
  /^(?:auth|authorization|access_token|refresh_token|code|code_verifier|password|token|session|client_secret|otp|poll_token|channel_id)(?:\[|$)/i;

/** decodeURIComponent as the server's own parsers do it: `+` is a space, a malformed escape stays as it is. */
function decodeLikeTheServer(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * `/rest/<member id>/<secret>/<method>`: every segment between the id and the method may be the
 * webhook's secret. The first segment is compared decoded, as the router matches it (`/%72est/`).
 */
function redactPath(path: string): string {
  const segments = path.split('/');
  const named = segments.map((segment, index) => ({ segment, index })).filter((s) => s.segment !== '');
  if (named.length < 3 || decodeLikeTheServer(named[0]?.segment ?? '').toLowerCase() !== 'rest') return path;
  // Without a method after it (`/rest/1/<secret>`), the last segment is the secret too.
  const secretsEnd = named.length === 3 ? 3 : named.length - 1;
  for (const { index } of named.slice(2, secretsEnd)) segments[index] = '***';
  return segments.join('/');
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return SECRET_NAME.test(decodeLikeTheServer(name).trim()) ? `${name}=***` : pair;
    })
    .join('&');
}

/** A URL fit for logs: webhook secrets and credential parameters replaced by `***`, however they are encoded. */
export function redactUrl(url: string): string {
  const cut = url.indexOf('?');
  if (cut < 0) return redactPath(url);
  return `${redactPath(url.slice(0, cut))}?${redactQuery(url.slice(cut + 1))}`;
}
