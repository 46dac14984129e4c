/**
 * The MongoDB driver (7.6 and later) loads Node's `os` module with a dynamic `import()`, for its
 * handshake's client metadata. jest runs each suite in a vm context, which refuses a dynamic import
 * without --experimental-vm-modules; the driver then sends a handshake without its `driver`
 * sub-document, which FerretDB takes but MongoDB refuses ("Missing required sub-document 'driver'
 * in the client metadata document"), so no test could connect to it. Outside jest (the service, the
 * bench) the import works. Here the driver is given `os` as its own `runtimeAdapters` option would.
 * (typegoose/mongodb-memory-server#1026.)
 */
jest.mock(require('node:path').join(require('node:path').dirname(require.resolve('mongodb')), 'runtime_adapters.js'), () => ({
  ...jest.requireActual(require('node:path').join(require('node:path').dirname(require.resolve('mongodb')), 'runtime_adapters.js')),
  resolveRuntimeAdapters: async (options: { runtimeAdapters?: { os?: unknown } }) => ({ os: options.runtimeAdapters?.os ?? require('node:os') }),
}));
