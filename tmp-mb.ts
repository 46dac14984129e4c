import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { Types } from 'mongoose';
import { startEmbeddedDatabase } from './src/store/embedded';
import { JournalModel } from './src/store/models';
async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-'));
  const db = await startEmbeddedDatabase(dir);
  await mongoose.connect(db.uri, { dbName: 'mb' });
  await JournalModel.init();
  const body = 'x'.repeat(900);
  const col = mongoose.connection.db!.collection('mbraw');
  for (const size of [1, 10, 50]) {
    for (const kind of ['mongoose', 'driver']) {
      const times: number[] = [];
      for (let i = 0; i < 100; i++) {
        const docs = Array.from({ length: size }, () => ({ _id: new Types.ObjectId(), accountId: new Types.ObjectId(), body, owner: 'o', heldUntil: new Date() }));
        const t = performance.now();
        if (kind === 'mongoose') await JournalModel.insertMany(docs, { lean: true }); else await col.insertMany(docs);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(kind, 'batch', size, 'p50', times[50].toFixed(2), 'p99', times[98].toFixed(2), 'ms; per doc', (times[50] / size).toFixed(3));
    }
  }
  const ids = (await JournalModel.find({}, { _id: 1 }).lean()).map((d) => d._id);
  let t = performance.now(); await JournalModel.deleteMany({ _id: { $in: ids.slice(0, 10) } }); console.log('deleteMany $in 10 of', ids.length, (performance.now()-t).toFixed(1));
  t = performance.now(); await JournalModel.bulkWrite(ids.slice(10, 20).map((_id) => ({ deleteOne: { filter: { _id } } })), { ordered: false }); console.log('bulk deleteOne 10', (performance.now()-t).toFixed(1));
  await mongoose.disconnect(); await db.stop();
}
main();
