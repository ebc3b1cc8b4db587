/** The rows as the column loader holds them: lib's own conversion, which tests build their tables with. */
export { tableOfRows } from '../../lib/data/columns/table-of-rows';
