/**
 * `/ui/`: the rollout page (see page.ts). Static: it carries no data and
 * needs no credentials; the browser reads the history API itself, as the
 * user it is.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import { ApiError } from '@logbook/machinery';
import { writeJson } from '../request/respond';
import { UI_PAGE } from './page';

export const isUiPath = (pathname: string): boolean => pathname === '/ui' || pathname.startsWith('/ui/');

/** Serves `/ui/` (and redirects `/ui`); anything else under it is a 404 Status. */
export function serveUi(req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    writeJson(res, 405, new ApiError(405, 'MethodNotAllowed', `${req.method} is not supported on /ui/`).toStatus());
    return;
  }
  if (url.pathname === '/ui') {
    res.writeHead(301, { Location: `/ui/${url.search}` });
    res.end();
    return;
  }
  if (url.pathname !== '/ui/' && url.pathname !== '/ui/index.html') {
    writeJson(res, 404, new ApiError(404, 'NotFound', `the page ${url.pathname} is not found`).toStatus());
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache', 'Content-Security-Policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'" });
  res.end(req.method === 'HEAD' ? undefined : UI_PAGE);
}
