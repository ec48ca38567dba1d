// The app's read token, when it has one (its `read_token` variable): given once in the page's
// fragment (`/dashboard#token=…`, which browsers never send to the server), kept for the tab's
// session, and sent with every API request.
const KEY = 'crdt-agents-token';

export function appToken(): string | null {
  const given = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (given !== null) {
    sessionStorage.setItem(KEY, decodeURIComponent(given[1]!));
    // out of the address bar, so it is not copied along with a link
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(KEY);
}
