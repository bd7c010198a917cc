/** `1 task`, `2 tasks`, `1 batch`, `3 batches`: a count with its noun in the right number. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
