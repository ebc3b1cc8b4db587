import type { ColumnSpec, ColumnType } from '../spec/pipeline-spec';

export type Cell = number | string | boolean | null;
export type Row = Record<string, Cell>;

export type CoercedRow = { ok: true; row: Row } | { ok: false; reason: string };

/** Turns one raw CSV record into a typed row, or says which column broke the schema and why. */
export function coerceRow(raw: Record<string, string>, columns: Record<string, ColumnSpec>): CoercedRow {
  const row: Row = {};
  for (const [name, spec] of Object.entries(columns)) {
    const text = raw[name];
    if (text === undefined) return { ok: false, reason: `column "${name}" is missing` };
    if (text.trim() === '') {
      if (!spec.nullable) return { ok: false, reason: `column "${name}" is empty but not nullable` };
      row[name] = null;
      continue;
    }
    const value = coerceCell(text.trim(), spec.type);
    if (value === undefined) return { ok: false, reason: `column "${name}": "${truncate(text)}" is not a valid ${spec.type}` };
    row[name] = value;
  }
  return { ok: true, row };
}

function coerceCell(text: string, type: ColumnType): Cell | undefined {
  switch (type) {
    case 'numeric': {
      const n = Number(text);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'integer': {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case 'boolean':
      if (/^(true|1|yes)$/i.test(text)) return true;
      if (/^(false|0|no)$/i.test(text)) return false;
      return undefined;
    case 'timestamp': {
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
    }
    case 'categorical':
      return text;
  }
}

function truncate(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
