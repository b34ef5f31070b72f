/**
 * A list built by push, copied at its size for keeping. V8 gives a list grown from empty room for
 * 17 items and never gives it back; the access graph keeps a few hundred thousand small lists
 * (statements, their actions and resources, condition values), so the room would be most of its
 * memory and of its garbage collectors' work.
 */
export function fitted<T>(list: readonly T[]): T[] {
  return list.slice();
}
