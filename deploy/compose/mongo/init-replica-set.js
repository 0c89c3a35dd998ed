/* global Mongo, print, sleep, quit */
// One-shot (mongo-init in docker-compose.yml), run with `mongosh --nodb`: initiates replica set
// rs0 over the three nodes and waits for a primary. Idempotent: an initiated set only gets the wait.
const SEED = 'mongodb://mongo-1:27017/?directConnection=true';
const CONFIG = {
  _id: 'rs0',
  members: [
    { _id: 0, host: 'mongo-1:27017', priority: 2 },
    { _id: 1, host: 'mongo-2:27017' },
    { _id: 2, host: 'mongo-3:27017' },
  ],
};
const ATTEMPTS = 60;

function retry(what, fn) {
  for (let attempt = 1; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      if (attempt >= ATTEMPTS) throw err;
      print(`${what}: ${err.message} (attempt ${attempt}/${ATTEMPTS})`);
      sleep(2000);
    }
  }
}

/** mongosh throws on { ok: 0 }; the check covers a shell that returns the reply instead. */
function run(db, command) {
  const reply = db.runCommand(command);
  if (reply.ok !== 1) throw Object.assign(new Error(reply.errmsg), { codeName: reply.codeName });
  return reply;
}

const admin = retry('connecting to mongo-1', () => {
  const db = new Mongo(SEED).getDB('admin');
  run(db, { ping: 1 });
  return db;
});

retry('initiating rs0', () => {
  try {
    run(admin, { replSetGetStatus: 1 });
    print('replica set rs0 already initiated');
  } catch (err) {
    if (err.codeName !== 'NotYetInitialized') throw err;
    try {
      run(admin, { replSetInitiate: CONFIG });
      print('replica set rs0 initiated');
    } catch (initErr) {
      if (initErr.codeName !== 'AlreadyInitialized') throw initErr;
    }
  }
});

retry('waiting for a primary', () => {
  const { primary } = run(admin, { hello: 1 });
  if (!primary) throw new Error('no primary elected yet');
  print(`replica set rs0 has primary ${primary}`);
});
quit(0);
