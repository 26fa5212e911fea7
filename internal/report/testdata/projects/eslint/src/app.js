// Mistakes ESLint finds, and one it is told to ignore.
const unused = 1;

export function check(a) {
  if (a == null) {
    console.log('missing');
  }
  return undefinedHelper(a);
}

// eslint-disable-next-line no-console -- startup banner, on purpose
console.log('started');
