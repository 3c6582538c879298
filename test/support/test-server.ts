/**
 * A function under the Functions Framework's test server, with Express in its 'test' env: the
 * framework's body parser answers a malformed body's 400 itself, and Express prints that
 * SyntaxError's stack unless the app's env is 'test' (express/lib/application.js, logerror).
 */
import type { Server } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';

export function quietTestServer(name: string): Server {
  const server = getTestServer(name);
  const app = server.listeners('request')[0] as unknown as { set(name: 'env', value: 'test'): void };
  app.set('env', 'test');
  return server;
}
