/**
 * The ceiling: a bare Koa server answering 200 to the webhook POSTs without
 * checking or storing anything. Run as a child; prints `ready <port>`.
 */
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.req.resume();
  ctx.status = 200;
  ctx.body = 'OK';
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
