// Does not parse: ESLint cannot lint it.
export function broken( {
  return 1;
}
