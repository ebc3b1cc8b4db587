/** One page of a list, newest first. `hasNext` comes from reading one row more than shown, so no COUNT(*) over 10,000 runs. */
export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  hasNext: boolean;
}

/** LIMIT and OFFSET for `page` (1-based), one row over the size to learn whether another page follows. */
export function pageWindow(page: number, pageSize: number): [limit: number, offset: number] {
  return [pageSize + 1, (page - 1) * pageSize];
}

export function toPage<T>(rows: T[], page: number, pageSize: number): Page<T> {
  return { items: rows.slice(0, pageSize), page, pageSize, hasNext: rows.length > pageSize };
}
