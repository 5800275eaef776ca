/** For in-child.test.ts: what a child process says about itself, and one that fails. */
export const whoAmI = async () => ({ pid: process.pid, parent: process.ppid });
export const fails = () => {
  throw new Error('failed as asked');
};
