import { dirname } from 'node:path';
import express, { type Express } from 'express';

const SWAGGER_UI = dirname(require.resolve('swagger-ui-dist/package.json'));

const page = (base: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Portail du support WOOP — API</title>
    <link rel="stylesheet" href="${base}/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="docs"></div>
    <script src="${base}/docs/assets/swagger-ui-bundle.js"></script>
    <script src="${base}/docs/init.js"></script>
  </body>
</html>
`;

/**
 * Runs in the browser: Swagger UI on the gateway's own document. Changes sent with the session
 * cookie carry the CSRF token from its cookie, so "Try it out" works once logged in.
 */
const init = (base: string) => `'use strict';
window.ui = SwaggerUIBundle({
  url: '${base}/openapi.json',
  dom_id: '#docs',
  deepLinking: true,
  validatorUrl: null,
  requestInterceptor: function (request) {
    var match = document.cookie.match(/(?:^|;\\s*)__Host-woop_csrf=([^;]+)/);
    if (match && request.method && request.method.toUpperCase() !== 'GET') {
      request.headers['X-CSRF-Token'] = decodeURIComponent(match[1]);
    }
    return request;
  },
});
`;

/**
 * The interactive API docs at `<base>/docs`: Swagger UI served from the gateway itself (no
 * CDN), its scripts as files so helmet's Content-Security-Policy (script-src 'self') holds.
 */
export function mountDocs(app: Express, base: string, document: unknown): void {
  const json = JSON.stringify(document);
  app.get(`${base}/openapi.json`, (_req, res) => {
    res.type('application/json').send(json);
  });
  app.get(`${base}/docs`, (_req, res) => {
    res.type('html').send(page(base));
  });
  app.get(`${base}/docs/init.js`, (_req, res) => {
    res.type('application/javascript').send(init(base));
  });
  app.use(`${base}/docs/assets`, express.static(SWAGGER_UI, { index: false, maxAge: '1h' }));
}
